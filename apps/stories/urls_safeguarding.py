from django.urls import path

from . import views_safeguarding as views

app_name = "safeguarding"

urlpatterns = [
    path("cases/", views.cases, name="cases"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("settings/", views.platform_settings, name="settings"),
    path("organisations/<slug:slug>/", views.node, name="node"),
    path("organisations/<slug:slug>/help/", views.node_help, name="node_help"),
    path("contacts/<int:pk>/remove/", views.contact_remove, name="contact_remove"),
]
