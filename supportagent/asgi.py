import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportagent.settings")
django.setup(set_prefix=False)

# Imported once Django is set up: they load models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import path  # noqa: E402

from agent.consumers import ConversationConsumer  # noqa: E402
from review.consumers import ReviewQueueConsumer  # noqa: E402
from supportagent.admission import AdmissionControl  # noqa: E402
from supportagent.handler import SyncChainASGIHandler  # noqa: E402
from widget.consumers import WidgetConsumer  # noqa: E402


def same_site_with_session(consumer):  # type: ignore[no-untyped-def]
    """Session and user come from the same cookies as the pages; other sites' pages cannot connect."""
    return AllowedHostsOriginValidator(AuthMiddlewareStack(consumer))


websocket_urlpatterns = [
    path("ws/review/", same_site_with_session(ReviewQueueConsumer.as_asgi())),
    path("ws/chat/", same_site_with_session(ConversationConsumer.as_asgi())),
    # Embedded on the bank's other sites: no cookies; the consumer checks the token and the allowed origins.
    path("ws/widget/", WidgetConsumer.as_asgi()),
]

http = AdmissionControl(
    SyncChainASGIHandler(),
    limit=settings.WEB_MAX_CONCURRENT_REQUESTS,
    wait_seconds=settings.WEB_QUEUE_SECONDS,
)
application = ProtocolTypeRouter({"http": http, "websocket": URLRouter(websocket_urlpatterns)})
