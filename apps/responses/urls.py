from django.urls import path

from . import views

app_name = "inbox"

urlpatterns = [
    path("", views.index, name="index"),
    path("stories/<int:pk>/", views.story, name="story"),
    path("stories/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("stories/<int:pk>/refer/", views.refer, name="refer"),
    path("referrals/<int:pk>/revoke/", views.revoke_referral, name="revoke_referral"),
]
