from django.urls import path

from . import export_views

app_name = "exports"

urlpatterns = [
    path("stories/export.csv", export_views.stories_csv, name="stories_csv"),
    path("stories/export.xlsx", export_views.stories_xlsx, name="stories_xlsx"),
]
