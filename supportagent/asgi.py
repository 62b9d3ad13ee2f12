import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportagent.settings")
django_asgi_app = get_asgi_application()

# Imported once Django is set up: they load models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from agent.consumers import ConversationConsumer  # noqa: E402
from review.consumers import ReviewQueueConsumer  # noqa: E402

websocket_urlpatterns = [
    path("ws/review/", ReviewQueueConsumer.as_asgi()),
    path("ws/chat/", ConversationConsumer.as_asgi()),
]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Session and user come from the same cookies as the pages; other sites' pages cannot connect.
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
