from django.urls import path

from . import views_fft

app_name = "waysin_fft"

urlpatterns = [
    path(
        "ways-in/<slug:slug>/friends-and-family/",
        views_fft.fft_setting,
        name="setting",
    ),
]
