from django.urls import path

from . import views_public

app_name = "conversation"

urlpatterns = [
    path("responses/<int:pk>/helpful/", views_public.helpful, name="helpful"),
    path("my-story/<str:token>/reply/", views_public.author_reply, name="author_reply"),
    path("responses/<int:pk>/report/", views_public.report_response, name="report_response"),
    path("replies/<int:pk>/report/", views_public.report_reply, name="report_reply"),
]
