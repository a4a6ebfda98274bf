from django.urls import path

from . import views_moderation as views
from . import views_restrict

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("stories/<int:pk>/", views.moderate, name="story"),
    # One URL per decision; the story page's single form posts to each by its buttons.
    path("stories/<int:pk>/publish/", views.publish, name="story_publish"),
    path("stories/<int:pk>/ask-author/", views.ask_author, name="story_ask_author"),
    path("stories/<int:pk>/reject/", views.reject, name="story_reject"),
    path("stories/<int:pk>/save/", views.save, name="story_save"),
    path("stories/<int:pk>/edit-published/", views.edit_published, name="story_edit_published"),
    # Replace a marked name with a role in the posted edits; shows the page, saves nothing.
    path("stories/<int:pk>/replace-name/", views.replace_name, name="story_replace_name"),
    path("enter/", views.enter, name="enter"),
    path("admin/", views.admin, name="admin"),
    # Platform admins set a trust's right of reply (its period; every story held or not).
    path(
        "admin/right-of-reply/", views_restrict.right_of_reply_choose, name="right_of_reply_choose"
    ),
    path(
        "admin/trusts/<slug:slug>/right-of-reply/",
        views_restrict.right_of_reply,
        name="right_of_reply",
    ),
    # Platform admins restrict a published story at a provider's request, or lift it.
    path("stories/<int:pk>/restrict/", views_restrict.restrict, name="story_restrict"),
    path(
        "stories/<int:pk>/lift-restriction/",
        views_restrict.lift,
        name="story_lift_restriction",
    ),
]
