from django.urls import path

from . import views_staff

app_name = "api_keys"

urlpatterns = [
    path("api-keys/", views_staff.index, name="index"),
    path("api-keys/<int:pk>/revoke/", views_staff.revoke, name="revoke"),
]
