"""The project's URLs plus one bare view, for the load stage of `make bench` only: its
requests a second, served by the same processes and settings as the pages, are what the
pages' requests a second are compared with."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as project_urlpatterns

BARE_PATH = "bench-load/bare/"


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path(BARE_PATH, bare), *project_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
