from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("about/<slug:slug>/", views.page, name="page"),
    path("staff/pages/", views.staff_list, name="staff_list"),
    path("staff/pages/<slug:slug>/edit/", views.staff_edit, name="staff_edit"),
]
