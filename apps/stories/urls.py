from django.urls import path

from . import views, views_easy

app_name = "stories"

urlpatterns = [
    path("tell/", views.tell, name="tell"),
    path("tell/thank-you/", views.told, name="told"),
    # The easy-read way to tell a story (docs/easy-read.md).
    path("tell/easy/", views_easy.tell_easy, name="tell_easy"),
    path("tell/easy/thank-you/", views_easy.tell_easy_done, name="tell_easy_done"),
    path("my-story/", views.resend_link, name="resend_link"),
    path("my-story/<str:token>/", views.author, name="author"),
    path("my-story/<str:token>/approve/", views.author_approve, name="author_approve"),
    path("my-story/<str:token>/email/", views.author_email, name="author_email"),
    path("my-story/<str:token>/email/erase/", views.author_erase, name="author_erase"),
    path("my-story/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("my-story/<str:token>/download/", views.author_download, name="author_download"),
    path(
        "my-story/<str:token>/download/json/",
        views.author_download_json,
        name="author_download_json",
    ),
    path("stories/", views.story_list, name="list"),
    path("stories/<int:pk>/", views.detail, name="detail"),
    path("stories/<int:pk>/read/", views.read, name="read"),
    path("stories/<int:pk>/me-too/", views.me_too, name="me_too"),
    path("stories/<int:pk>/report/", views.report, name="report"),
]
