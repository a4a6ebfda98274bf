"""Posters and cards: the QR code's short address and the public page and files to print.
Included in config/urls.py before the organisations' own addresses."""

from django.urls import path, re_path

from . import views_posters as views

app_name = "posters"

urlpatterns = [
    # Up to 13 base-36 digits (the largest primary key); anything else is not a code.
    re_path(r"^q/(?P<code>[0-9A-Za-z]{1,13})/$", views.qr, name="qr"),
    re_path(r"^q/(?P<code>[0-9A-Za-z]{1,13})/easy/$", views.qr_easy, name="qr_easy"),
    path("organisations/<slug:slug>/poster/", views.page, name="page"),
    path(
        "organisations/<slug:slug>/poster.pdf",
        views.download,
        {"kind": "poster", "fmt": "pdf"},
        name="poster_pdf",
    ),
    path(
        "organisations/<slug:slug>/poster.svg",
        views.download,
        {"kind": "poster", "fmt": "svg"},
        name="poster_svg",
    ),
    path(
        "organisations/<slug:slug>/card.pdf",
        views.download,
        {"kind": "card", "fmt": "pdf"},
        name="card_pdf",
    ),
    path(
        "organisations/<slug:slug>/card.svg",
        views.download,
        {"kind": "card", "fmt": "svg"},
        name="card_svg",
    ),
]
