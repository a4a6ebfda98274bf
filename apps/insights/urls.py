from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("organisations/<slug:slug>/insight/", views.organisation, name="organisation"),
    path("staff/organisations/<slug:slug>/insight/", views.staff, name="staff"),
]
