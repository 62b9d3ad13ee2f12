from django.urls import path

from widget import api, openapi, views

urlpatterns = [
    path("demo/", views.demo, name="widget_demo"),
    path("api/conversations/", api.create_conversation, name="widget_create_conversation"),
    path("api/conversation/", api.conversation, name="widget_conversation"),
    path("api/messages/", api.send_message, name="widget_send_message"),
    path("api/human/", api.talk_to_human, name="widget_talk_to_human"),
    path("api/feedback/", api.feedback, name="widget_feedback"),
    path("api/rating/", api.rating, name="widget_rating"),
    path("api/openapi.json", openapi.openapi, name="widget_openapi"),
]
