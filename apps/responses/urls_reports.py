from django.urls import path

from . import views_reports

app_name = "reports"

# kind: "story", "response" or "reply" (anything else is a 404).
urlpatterns = [
    path("", views_reports.queue, name="queue"),
    path("<slug:kind>/<int:pk>/hide/", views_reports.hide, name="hide"),
    path("<slug:kind>/<int:pk>/dismiss/", views_reports.dismiss, name="dismiss"),
]
