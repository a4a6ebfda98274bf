from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("alerts/", views.index, name="index"),
    path("alerts/<int:pk>/remove/", views.remove, name="remove"),
    path("email/", views.outbox, name="outbox"),
    path("email/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
]
