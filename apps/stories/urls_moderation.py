from django.urls import path

from . import views_moderation as views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("stories/<int:pk>/", views.moderate, name="story"),
    path("enter/", views.enter, name="enter"),
]
