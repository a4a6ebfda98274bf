from django.urls import path

from . import views

app_name = "feeds"

# Addresses people paste into feed readers and other sites' pages: keep them stable.
urlpatterns = [
    path("organisations/<slug:slug>/feed/", views.organisation_feed, name="organisation"),
    path("organisations/<slug:slug>/service-feed/", views.service_feed, name="service"),
    path("organisations/<slug:slug>/widget/", views.widget, name="widget"),
    path("stories/tags/<slug:slug>/feed/", views.tag_feed, name="tag"),
]
