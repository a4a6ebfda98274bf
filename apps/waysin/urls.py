from django.urls import path

from . import views, views_kiosk

app_name = "waysin"

urlpatterns = [
    path("staff/ways-in/", views.index, name="index"),
    path("staff/ways-in/kiosks/<int:pk>/switch-off/", views.kiosk_revoke, name="kiosk_revoke"),
    path("staff/ways-in/campaigns/<int:pk>/end/", views.campaign_end, name="campaign_end"),
    path("kiosk/<str:token>/", views_kiosk.kiosk, name="kiosk"),
    path("kiosk/<str:token>/exit/", views_kiosk.kiosk_exit, name="kiosk_exit"),
    path("t/<str:code>", views_kiosk.campaign, name="campaign"),
    # The easy-read pages of a kiosk and of a campaign link (docs/easy-read.md).
    path("kiosk/<str:token>/easy/", views_kiosk.kiosk_easy, name="kiosk_easy"),
    path("t/<str:code>/easy/", views_kiosk.campaign_easy, name="campaign_easy"),
]
