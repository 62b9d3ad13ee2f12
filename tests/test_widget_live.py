"""The widget's websocket: the token's own conversation, from allowed pages only, live after each change."""

import asyncio
import os
import subprocess
import time

import pytest
import redis
import redis.asyncio
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.cache import cache

from agent.consumers import LAYER_EPOCH_KEY, SERVICE_RESTART
from agent.events import conversation_group
from agent.models import Conversation
from agent.services import store_customer_message
from supportagent.asgi import application
from tests.conftest import SHOP, free_port, session_cookie
from widget.tokens import token_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("shop_may_embed")]


def connect(path: str, origin: str = SHOP) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application, path, headers=[(b"origin", origin.encode()), (b"host", b"bank")]
    )


def test_the_widget_hears_its_conversation_change(conversation):
    other = Conversation.objects.create(customer=conversation.customer)

    async def scenario():
        page = connect(f"/ws/widget/?token={token_for(conversation)}")
        connected, _ = await page.connect()
        assert connected
        await database_sync_to_async(store_customer_message)(conversation=other, text="not for this page")
        await database_sync_to_async(store_customer_message)(
            conversation=conversation, text="Where is my card?"
        )
        event = await page.receive_json_from(timeout=5)
        assert await page.receive_nothing(timeout=0.3)
        await page.disconnect()
        return event

    event = async_to_sync(scenario)()
    message = conversation.messages.get()
    assert event == {"name": "conversation.updated", "status": "open", "message": message.pk}


@pytest.mark.parametrize(
    ("path", "origin", "code"),
    [
        ("/ws/widget/?token=forged", SHOP, 4401),
        ("/ws/widget/", SHOP, 4401),
        ("/ws/widget/?token={token}", "https://evil.example", 4403),
    ],
)
def test_a_bad_token_or_origin_is_closed_with_a_code_the_widget_reads(conversation, path, origin, code):
    async def scenario():
        page = connect(path.format(token=token_for(conversation)), origin)
        connected, _ = await page.connect()
        closed = await page.receive_output(timeout=5)
        await page.disconnect()
        return connected, closed

    connected, closed = async_to_sync(scenario)()
    assert connected and closed == {"type": "websocket.close", "code": code}


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="set REDIS_URL: the channel layer on Redis")
def test_a_widget_whose_groups_went_with_a_redis_restart_joins_again_and_reads(conversation, settings):
    """The widget's socket carries its messages: it stays open, joins its group again and the page reads what
    it missed, so no page falls back to HTTP while all of them reconnect."""
    settings.LIVE_CHECK_SECONDS = 0.2
    group = conversation_group(conversation.public_id)

    async def scenario():
        page = connect(f"/ws/widget/?token={token_for(conversation)}")
        connected, _ = await page.connect()
        assert connected
        assert await page.receive_nothing(timeout=0.6)  # the epoch holds: nothing to read
        # its group and the epoch gone, as after a Redis restarted empty
        await redis.asyncio.Redis.from_url(os.environ["REDIS_URL"]).delete(f"asgi:group:{group}")
        await cache.adelete(LAYER_EPOCH_KEY)
        told = await page.receive_json_from(timeout=5)
        await database_sync_to_async(store_customer_message)(conversation=conversation, text="Still there?")
        heard = await page.receive_json_from(timeout=5)  # the group holds the page again
        await page.disconnect()
        return told, heard

    told, heard = async_to_sync(scenario)()
    # what it missed: the conversation as it is now, so that the page reads nothing over HTTP
    assert told["name"] == "conversation.updated"
    assert told["conversation"]["id"] == str(conversation.public_id)
    assert heard["name"] == "conversation.updated" and heard["message"] == conversation.messages.get().pk


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="set REDIS_URL: the channel layer on Redis")
def test_a_review_page_whose_groups_went_with_a_redis_restart_is_told_to_reconnect(rita, settings):
    settings.LIVE_CHECK_SECONDS = 0.2
    cookie = session_cookie(rita)

    async def scenario():
        page = WebsocketCommunicator(
            application, "/ws/review/", headers=[(b"origin", b"http://127.0.0.1"), cookie]
        )
        connected, _ = await page.connect()
        assert connected
        assert await page.receive_nothing(timeout=0.6)
        await cache.adelete(LAYER_EPOCH_KEY)  # as a Redis restarted empty would have it
        closed = await page.receive_output(timeout=5)
        await page.disconnect()
        return closed

    assert async_to_sync(scenario)() == {"type": "websocket.close", "code": SERVICE_RESTART}


@pytest.fixture
def own_redis(settings):  # type: ignore[no-untyped-def]
    """A Redis server of the test's own on a free port, which the test may stop and start again (empty), as
    the live events' channel layer and the cache."""
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    servers: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        servers.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the test's Redis did not start")

    def stop() -> None:
        servers[-1].kill()
        servers[-1].wait()

    start()
    settings.REDIS_URL = url
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [url]}}
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    yield start, stop
    if servers[-1].poll() is None:
        stop()


def test_a_widget_outlasts_a_redis_restart_and_hears_its_group_again(conversation, settings, own_redis):
    start_redis, stop_redis = own_redis
    settings.LIVE_CHECK_SECONDS = 0.2

    async def scenario():
        page = connect(f"/ws/widget/?token={token_for(conversation)}")
        connected, _ = await page.connect()
        assert connected
        assert await page.receive_nothing(timeout=0.6)
        await asyncio.to_thread(stop_redis)
        assert await page.receive_nothing(timeout=1.5)  # still open while Redis is down
        await asyncio.to_thread(start_redis)  # empty: no groups, no epoch
        told = await page.receive_json_from(timeout=10)
        await database_sync_to_async(store_customer_message)(conversation=conversation, text="Back?")
        heard = await page.receive_json_from(timeout=10)
        await page.disconnect()
        return told, heard

    told, heard = async_to_sync(scenario)()
    assert told["conversation"]["messages"] == []  # events were missed meanwhile: the conversation, whole
    assert heard["message"] == conversation.messages.get().pk  # and the group holds the page again
