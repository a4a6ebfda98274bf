from django.urls import path

from . import views_moderation

app_name = "conversation_moderation"

urlpatterns = [
    path("", views_moderation.queue, name="queue"),
    path("responses/<int:pk>/", views_moderation.decide_response, name="decide_response"),
    path("replies/<int:pk>/", views_moderation.decide_reply, name="decide_reply"),
]
