from django.urls import path

from . import views

app_name = "changes"

urlpatterns = [
    path("organisations/<slug:slug>/changes/", views.register, name="register"),
    path("organisations/<slug:slug>/changes/export.csv", views.export, name="export"),
    path("changes/<int:pk>/", views.public, name="public"),
    path("staff/stories/<int:pk>/changes/new/", views.record, name="record"),
    path("staff/stories/<int:pk>/changes/link/", views.link, name="link"),
    path("staff/changes/<int:pk>/", views.detail, name="detail"),
    path("staff/changes/<int:pk>/edit/", views.edit, name="edit"),
    path("staff/changes/<int:pk>/made/", views.mark_made, name="mark_made"),
    path("staff/changes/<int:pk>/stop/", views.stop, name="stop"),
    path(
        "staff/changes/<int:pk>/stories/<int:story_pk>/unlink/",
        views.unlink,
        name="unlink",
    ),
]
