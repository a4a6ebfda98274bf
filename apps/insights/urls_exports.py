from django.urls import path

from . import export_views, open_data_views

app_name = "exports"

urlpatterns = [
    path("stories/export.csv", export_views.stories_csv, name="stories_csv"),
    path("stories/export.xlsx", export_views.stories_xlsx, name="stories_xlsx"),
    path("open-data/", open_data_views.open_data_page, name="open_data"),
    path("open-data/<str:name>", open_data_views.open_data_file, name="open_data_file"),
]
