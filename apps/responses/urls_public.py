from django.urls import path

from . import views_public

app_name = "conversation"

urlpatterns = [
    path("responses/<int:pk>/helpful/", views_public.helpful, name="helpful"),
    path("my-story/<str:token>/reply/", views_public.author_reply, name="author_reply"),
]
