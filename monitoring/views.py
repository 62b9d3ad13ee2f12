"""The staff dashboard and the Prometheus endpoint."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agent.experiment_report import experiment_report, shown
from agent.models import Experiment
from monitoring.charts import bar_chart, line_chart
from monitoring.figures import DECISIONS, figures
from monitoring.prometheus import exposition
from review.access import is_reviewer, reviewer_required

DAY_CHOICES = (7, 14, 30, 90)


@require_GET
@reviewer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    days = int(request.GET["days"]) if request.GET.get("days") in {str(d) for d in DAY_CHOICES} else 14
    data = figures(days)
    labels = [day.strftime("%d %b") for day in data.days]
    experiment = Experiment.objects.filter(is_active=True).first()
    charts = {
        "conversations": bar_chart(
            "Conversations started per day", labels, {"conversations": data.conversations}
        ),
        "decisions": bar_chart(
            "Decisions per day", labels, {d.replace("_", "-"): data.decisions[d] for d in DECISIONS}
        ),
        "cost": bar_chart("LLM cost per day", labels, {"cost": [float(c) for c in data.cost]}),
        "quality": line_chart(
            "Approval rate and measured auto-send precision",
            labels,
            {"approval rate": data.approval_rate, "auto-send precision": data.auto_send_precision},
            top=1.0,
        ),
        "cache": line_chart("Response-cache hit rate", labels, {"cache hits": data.cache_hit_rate}, top=1.0),
    }
    rows = [
        {
            "day": label,
            "conversations": data.conversations[i],
            **{d: data.decisions[d][i] for d in DECISIONS},
            "cost": data.cost[i],
            "approval": data.approval_rate[i],
            "precision": data.auto_send_precision[i],
            "cache": data.cache_hit_rate[i],
        }
        for i, label in enumerate(labels)
    ]
    context = {
        "days": days,
        "day_choices": DAY_CHOICES,
        "figures": data,
        "charts": charts,
        "rows": rows,
        "experiment": experiment,
        "arms": shown(experiment_report(experiment)) if experiment else [],
    }
    return render(request, "monitoring/dashboard.html", context)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for a scraper holding METRICS_TOKEN (Bearer) or a signed-in reviewer."""
    token = settings.METRICS_TOKEN
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    by_token = bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(offered.strip(), token)
    if not by_token and not is_reviewer(request.user):
        response = HttpResponse(
            "Send METRICS_TOKEN as a Bearer token.\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For the load balancer: 200 when this process can reach the database and the cache, 503 if not."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as error:
        checks["database"] = f"unreachable: {type(error).__name__}"
    try:
        cache.get("health-check")
        checks["cache"] = "ok"
    except Exception as error:  # each cache backend raises its own connection errors
        checks["cache"] = f"unreachable: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
