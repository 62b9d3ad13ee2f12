from django.urls import path

from review import views

app_name = "review"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("drafts/<int:draft_id>/", views.draft_detail, name="draft"),
    path("drafts/<int:draft_id>/state/", views.draft_state, name="draft-state"),
    path("drafts/<int:draft_id>/decide/", views.decide, name="decide"),
    path("drafts/<int:draft_id>/release/", views.release, name="release"),
    path("messages/<int:message_id>/reveal/", views.reveal, name="reveal"),
    path("evaluation-cases.jsonl", views.export_evaluation_cases, name="export"),
]
