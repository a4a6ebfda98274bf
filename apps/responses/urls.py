from django.urls import path

from . import views

app_name = "inbox"

urlpatterns = [
    path("", views.index, name="index"),
    path("stories/<int:pk>/", views.story, name="story"),
    path("stories/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("stories/<int:pk>/refer/", views.refer, name="refer"),
    path("stories/<int:pk>/respond/preview/", views.preview_response, name="preview_response"),
    path("stories/<int:pk>/respond/", views.post_response, name="post_response"),
    path("responses/<int:pk>/edit/", views.edit_response, name="edit_response"),
    path("responses/<int:pk>/withdraw/", views.withdraw_response, name="withdraw_response"),
    path("referrals/<int:pk>/revoke/", views.revoke_referral, name="revoke_referral"),
]
