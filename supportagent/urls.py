from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from agent import views as agent_views
from monitoring import views as monitoring_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="chat", permanent=False)),
    path("admin/", admin.site.urls),
    path("review/", include("review.urls")),
    path("widget/", include("widget.urls")),
    path("dashboard/", include("monitoring.urls")),
    path("metrics", monitoring_views.metrics, name="metrics"),
    path("health", monitoring_views.health, name="health"),
    path("chat/", agent_views.chat, name="chat"),
    path("chat/new/", agent_views.new_chat, name="new_chat"),
]
