from django.urls import path

from . import views

app_name = "staff"

urlpatterns = [
    path("invitations/<str:token>/", views.accept, name="accept"),
]
