from django.urls import path

from . import views, views_about

app_name = "staff"

urlpatterns = [
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", views.accept, name="accept"),
    path("organisations/<slug:slug>/members/", views.members, name="members"),
    path("organisations/<slug:slug>/invitations/", views.invitation_list, name="invitations"),
    path(
        "organisations/<slug:slug>/invitations/upload/",
        views.invitation_upload,
        name="invitations_upload",
    ),
    path("organisations/<slug:slug>/teams/", views.team_list, name="teams"),
    path("organisations/<slug:slug>/audit/", views.audit_log, name="audit"),
    path("organisations/<slug:slug>/about/", views_about.about_edit, name="about"),
    path("roles/<int:pk>/revoke/", views.revoke_role, name="revoke_role"),
    path("people/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("people/<int:pk>/reactivate/", views.reactivate, name="reactivate"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/members/<int:user_pk>/remove/", views.team_remove, name="team_remove"),
]
