"""The widget's JSON API. Cross-origin by design (the widget runs on the bank's other sites), so it uses a
bearer token rather than cookies, answers CORS preflights, and refuses pages from origins not allowed to
embed it. Every refusal is a JSON `{"error": ...}` the widget shows as it is."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import OperationalError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from agent.models import (
    AnswerFeedback,
    Conversation,
    ConversationRating,
    Customer,
    Message,
)
from agent.services import Incoming, start_conversation
from supportagent.admission import BUSY
from widget.intake import REF_RULE, Refused, Sending, check_text, take_in, valid_ref
from widget.limits import Limit, client_ip, hit_all
from widget.origins import origin_allowed
from widget.tokens import InvalidToken, conversation_for, token_for

HUMAN_REQUEST = "I'd like to talk to a person, please."
logger = logging.getLogger(__name__)

HANDED_OVER = {Conversation.Status.ESCALATED, Conversation.Status.NEEDS_HUMAN}
ANSWER_ROLES = {Message.Role.AGENT, Message.Role.STAFF}


View = Callable[..., JsonResponse]


def endpoint(method: str, *, authenticated: bool = True) -> Callable[[View], Callable[..., HttpResponse]]:
    """Wrap a view: CORS, origin check, method, JSON body, bearer token, and refusals as JSON."""

    def wrap(view: View) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def handle(request: HttpRequest) -> HttpResponse:
            origin = request.headers.get("Origin", "")
            if request.method == "OPTIONS":
                return _cors(HttpResponse(status=204), origin, preflight=True)
            try:
                if not origin_allowed(origin, request.get_host()):
                    raise Refused(403, "This website is not allowed to use the Lumen Bank chat.")
                if request.method != method:
                    raise Refused(405, f"Use {method} here.")
                arguments: dict[str, Any] = {"body": _json_body(request) if method == "POST" else {}}
                if authenticated:
                    arguments["conversation"] = _authenticated(request)
                response = view(request, **arguments)
            except Refused as refused:
                response = refusal(refused)
            except OperationalError as error:  # the database is unreachable or every connection is busy
                logger.warning("widget request refused for now: %s", error)
                response = refusal(Refused(503, BUSY, retry_after=5))
            return _cors(response, origin)

        return handle

    return wrap


def refusal(refused: Refused) -> JsonResponse:
    payload: dict[str, Any] = {"error": str(refused)}
    if refused.retry_after:
        payload["retry_after"] = refused.retry_after
    response = JsonResponse(payload, status=refused.status)
    if refused.retry_after:
        response["Retry-After"] = str(refused.retry_after)
    return response


def _cors(response: HttpResponse, origin: str, *, preflight: bool = False) -> HttpResponse:
    # Any origin may read the answers (refusals included, so the widget can show them): the API uses no
    # cookies, and each request is checked against the allowed origins above.
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Expose-Headers"] = "Retry-After"
        response["Vary"] = "Origin"
    if preflight:
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response["Access-Control-Max-Age"] = "600"
    return response


def _json_body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        body = json.loads(request.body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Refused(400, "The request was not valid JSON.") from None
    if not isinstance(body, dict):
        raise Refused(400, "The request must be a JSON object.")
    return body


def _authenticated(request: HttpRequest) -> Conversation:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Refused(401, "This conversation has expired; start a new one.")
    try:
        return conversation_for(token.strip())
    except InvalidToken as invalid:
        raise Refused(401, str(invalid)) from None


def _limit(hits: list[tuple[Limit, str]], message: str) -> None:
    """Count the request against each (limit, key); 429 with `message` if any limit is spent."""
    wait = hit_all(hits)
    if wait:
        raise Refused(429, message.format(seconds=wait), retry_after=wait)


def _conversations_limit() -> Limit:
    return Limit("conversations-per-ip", settings.WIDGET_CONVERSATIONS_PER_HOUR_PER_IP, 60 * 60)


def conversation_json(conversation: Conversation) -> dict[str, Any]:
    """The whole conversation as the widget shows it: the one source of truth it renders from."""
    messages = conversation.messages.order_by("created_at", "id").values_list(
        "id", "role", "text", "created_at", "feedback__value"
    )
    rating = ConversationRating.objects.filter(conversation=conversation).values_list("score", flat=True)
    shown = [
        {"id": pk, "role": role, "text": text, "created_at": created_at.isoformat(), "feedback": feedback}
        for pk, role, text, created_at, feedback in messages
    ]
    return {
        "id": str(conversation.public_id),
        "status": conversation.status,
        "messages": shown,
        "can_rate": any(message["role"] in ANSWER_ROLES for message in shown),
        "rating": rating.first(),
    }


@endpoint("POST", authenticated=False)
def create_conversation(request: HttpRequest, *, body: dict[str, Any]) -> JsonResponse:
    _limit(
        [(_conversations_limit(), client_ip(request))],
        "Too many new conversations from your network. Please try again in {seconds} seconds.",
    )
    with transaction.atomic():
        customer = Customer.objects.create(external_id=f"widget-{secrets.token_urlsafe(16)}")
        conversation = start_conversation(customer=customer)
    return JsonResponse(
        {"token": token_for(conversation), "conversation": conversation_json(conversation)}, status=201
    )


@endpoint("GET")
def conversation(request: HttpRequest, *, body: dict[str, Any], conversation: Conversation) -> JsonResponse:
    return JsonResponse({"conversation": conversation_json(conversation)})


@endpoint("POST")
def send_message(request: HttpRequest, *, body: dict[str, Any], conversation: Conversation) -> JsonResponse:
    ref = body.get("ref", "")
    if not isinstance(ref, str) or not valid_ref(ref):
        raise Refused(400, REF_RULE)
    message = _receive(request, conversation, body.get("text"), ref=ref)
    conversation.refresh_from_db(fields=["status"])  # a worker may have moved it on already
    stored = {"id": message.pk, "role": message.role, "text": message.text}
    return JsonResponse({"message": stored, "conversation": conversation_json(conversation)}, status=202)


@endpoint("POST")
def talk_to_human(request: HttpRequest, *, body: dict[str, Any], conversation: Conversation) -> JsonResponse:
    """Hand the conversation to a person: a message saying so goes through the pipeline like any other, whose
    guard escalates it with a ticket; asking again once handed over changes nothing."""
    if conversation.status not in HANDED_OVER:
        _receive(request, conversation, HUMAN_REQUEST)
        conversation.refresh_from_db()
    return JsonResponse({"conversation": conversation_json(conversation)}, status=202)


@endpoint("POST")
def feedback(request: HttpRequest, *, body: dict[str, Any], conversation: Conversation) -> JsonResponse:
    value = body.get("value")
    if value not in AnswerFeedback.Value.values:
        raise Refused(400, "Feedback must be up or down.")
    message_id = body.get("message_id")
    message = (
        Message.objects.filter(conversation=conversation, pk=message_id, role__in=ANSWER_ROLES)
        .select_related("draft__run")
        .first()
        if isinstance(message_id, int) and not isinstance(message_id, bool)
        else None
    )
    if message is None:
        raise Refused(404, "That answer is not in this conversation.")
    version = message.draft.run.agent_version_id if message.draft else conversation.agent_version_id
    AnswerFeedback.objects.update_or_create(
        message=message,
        defaults={"conversation": conversation, "agent_version_id": version, "value": value},
    )
    return JsonResponse({"conversation": conversation_json(conversation)})


@endpoint("POST")
def rating(request: HttpRequest, *, body: dict[str, Any], conversation: Conversation) -> JsonResponse:
    score = body.get("score")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise Refused(400, "A rating is a whole number from 1 to 5.")
    answers = conversation.messages.filter(role__in=ANSWER_ROLES).select_related("draft__run")
    last = answers.order_by("-created_at", "-id").first()
    if last is None:
        raise Refused(400, "There is no answer to rate yet.")
    version = last.draft.run.agent_version_id if last.draft else conversation.agent_version_id
    ConversationRating.objects.update_or_create(
        conversation=conversation, defaults={"score": score, "agent_version_id": version}
    )
    return JsonResponse({"conversation": conversation_json(conversation)})


def _receive(request: HttpRequest, conversation: Conversation, text: object, *, ref: str = "") -> Message:
    sending = Sending(Incoming(conversation, check_text(text), ref), client_ip(request))
    (result,) = take_in([sending])
    if isinstance(result, Refused):
        raise result
    return result
