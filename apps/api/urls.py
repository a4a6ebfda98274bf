from django.urls import path, re_path

from . import views

app_name = "api"

# Addresses end without a slash, as DESIGN.md writes them; anything else under /api/v1/
# is a JSON 404 (the last pattern), never the site's HTML page or a redirect.
urlpatterns = [
    path("", views.root, name="root"),
    path("openapi.json", views.OpenApiDocument.as_view(), name="openapi"),
    path("stories", views.StoryList.as_view(), name="stories"),
    path("stories/<int:pk>", views.StoryDetail.as_view(), name="story"),
    path("stories/<int:pk>/responses", views.StoryResponses.as_view(), name="story_responses"),
    path("organisations", views.OrganisationList.as_view(), name="organisations"),
    path("organisations/<str:key>", views.OrganisationDetail.as_view(), name="organisation"),
    path("changes", views.ChangeList.as_view(), name="changes"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
