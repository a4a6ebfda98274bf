"""Posters and cards (docs/ways-in.md, "Posters and cards"): a node's short QR address
and the artwork that carries it.

The code is the node's primary key in base 36: short to print and to type, and it names a
service, never a person, so a poster needs no row of its own. The artwork is one SVG per
size (A4 poster, 85 × 55 mm card); the PDFs are those SVGs on a printed page.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.pdf import html_to_pdf
from apps.organisations.models import Organisation
from apps.organisations.selectors import with_place

# A primary key is a PostgreSQL bigint: no code longer than its largest, in base 36.
_LARGEST_PK = 2**63 - 1
_CODE = re.compile(r"[0-9a-z]{1,13}")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"

POSTER = "poster"
CARD = "card"
KINDS = (POSTER, CARD)
FORMATS = ("pdf", "svg")


def code_for(node: Organisation) -> str:
    """The node's code: its primary key in base 36 (lower case)."""
    number = int(node.pk)
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = _DIGITS[digit] + digits
        if number == 0:
            return digits


def node_for_code(code: str) -> Organisation | None:
    """The open node a code names (typed in capitals or not), with its place; None for a
    code that is malformed, too large, unknown or of a closed node."""
    code = code.lower()
    if not _CODE.fullmatch(code):
        return None
    number = int(code, 36)
    if number > _LARGEST_PK:
        return None
    return with_place(Organisation.objects.filter(pk=number, is_active=True)).first()


def node_for_slug(slug: str) -> Organisation | None:
    """The open node with this slug, with its place (a closed node has no poster: its code
    leads nowhere)."""
    return with_place(Organisation.objects.filter(slug=slug, is_active=True)).first()


def qr_address(code: str) -> str:
    """The absolute address the QR code holds."""
    return settings.SITE_URL + reverse("posters:qr", kwargs={"code": code})


def short_address(code: str) -> str:
    """The address as printed beneath the code, to type: no scheme, no `www.`."""
    parts = urlsplit(qr_address(code))
    host = parts.netloc.removeprefix("www.")
    return host + parts.path


@dataclass(frozen=True)
class QrCode:
    """A QR code as one SVG path of unit squares, `size` modules wide (the quiet zone
    included), to scale into any box."""

    path: str
    size: int


def qr_code(data: str) -> QrCode:
    """The QR code of `data` (error correction M: a crease or a smudge still scans)."""
    import qrcode  # imported here: only posters and cards need it

    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    runs: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return QrCode(path="".join(runs), size=len(matrix))


@dataclass(frozen=True)
class Lines:
    """Text set in lines that fit a width: SVG text does not wrap by itself."""

    lines: list[str]
    size: float  # font size, in the artwork's units (mm)

    @property
    def step(self) -> float:
        return round(self.size * 1.2, 2)

    @property
    def height(self) -> float:
        return round(self.step * len(self.lines), 2)


@dataclass(frozen=True)
class Artwork:
    """What a poster or card shows for one node; nothing in it identifies a person."""

    node: Organisation
    code: str
    address: str
    short_address: str
    qr: QrCode

    @property
    def place(self) -> str:
        """The site and trust the node is part of, as a person knows them ("" for a trust)."""
        parts = [getattr(self.node, "place_site", None), getattr(self.node, "place_root", None)]
        return ", ".join(part for part in parts if part)

    @property
    def slug(self) -> str:
        return self.node.slug


def artwork_for(node: Organisation) -> Artwork:
    code = code_for(node)
    address = qr_address(code)
    return Artwork(
        node=node,
        code=code,
        address=address,
        short_address=short_address(code),
        qr=qr_code(address),
    )


INK = "#1d1d1b"
MUTED = "#4a4a48"
BRAND = "#00594f"
PAPER = "#ffffff"
# An average letter's width as a share of the font size, generous for wide fonts
# (DejaVu Sans, where Arial is missing), so a line set here never runs off the page.
LETTER = 0.53
BOLD_LETTER = 0.58


@dataclass(frozen=True)
class Text:
    """One line of text placed on the artwork (x, y: its baseline, in mm)."""

    x: float
    y: float
    size: float
    text: str
    bold: bool = False
    fill: str = INK
    anchor: str = "start"


def fit(
    text: str, *, width: float, sizes: tuple[float, ...], most: int, bold: bool = False
) -> Lines:
    """The text in the largest of `sizes` that takes at most `most` lines of `width`; at
    the smallest size, cut with an ellipsis after `most` lines."""
    letter = BOLD_LETTER if bold else LETTER
    for size in sizes:
        lines = textwrap.wrap(text, width=max(int(width / (letter * size)), 8))
        if len(lines) <= most:
            return Lines(lines=lines, size=size)
    lines = textwrap.wrap(text, width=max(int(width / (letter * sizes[-1])), 8))
    return Lines(lines=[*lines[: most - 1], lines[most - 1].rstrip(".,") + "…"], size=sizes[-1])


@dataclass
class Layout:
    """Lines set top to bottom: `top` is where the next block starts."""

    top: float
    texts: list[Text]

    def set(
        self,
        lines: Lines,
        *,
        x: float,
        gap: float = 0,
        bold: bool = False,
        fill: str = INK,
        anchor: str = "start",
    ) -> None:
        for index, line in enumerate(lines.lines):
            y = round(self.top + index * lines.step + lines.size, 2)
            self.texts.append(
                Text(x=x, y=y, size=lines.size, text=line, bold=bold, fill=fill, anchor=anchor)
            )
        self.top = round(self.top + lines.height + gap, 2)


@dataclass(frozen=True)
class Placed:
    """The artwork ready to draw: its size (mm), its lines, a coloured band at the top
    `band` high (0: none), and the QR code at (qr_x, qr_y), `qr_width` wide."""

    art: Artwork
    kind: str
    width: float
    height: float
    texts: list[Text]
    band: float
    qr_x: float
    qr_y: float
    qr_width: float
    label: str

    @property
    def cut_width(self) -> float:
        """The card's edge, drawn inside it so that no half of the line is cut off."""
        return round(self.width - 0.2, 2)

    @property
    def cut_height(self) -> float:
        return round(self.height - 0.2, 2)

    @property
    def qr_scale(self) -> float:
        return round(self.qr_width / self.art.qr.size, 4)


def _label(art: Artwork) -> str:
    return _("Tell us about your care at %(name)s: scan the QR code or go to %(address)s") % {
        "name": art.node.display_name,
        "address": art.short_address,
    }


def _heading(text: str, *, width: float) -> Lines:
    """The invitation on one line if it fits large enough, else on two."""
    for size in (15, 14, 13, 12, 11):
        one = fit(text, width=width, sizes=(size,), most=1, bold=True)
        if len(one.lines) == 1 and not one.lines[0].endswith("…"):
            return one
    return fit(text, width=width, sizes=(13, 11, 9), most=2, bold=True)


def _poster(art: Artwork) -> Placed:
    """A4 portrait: the invitation on a band, the service, the code, the address."""
    width, height, margin = 210.0, 297.0, 17.0
    inner = width - 2 * margin
    page = Layout(top=16, texts=[])
    heading = _heading(_("Tell us about your care"), width=inner)
    page.set(heading, x=margin, gap=4, bold=True, fill=PAPER)
    invitation = _(
        "What went well? What could be better? Your story helps the people who run "
        "this service learn and improve."
    )
    page.set(fit(invitation, width=inner, sizes=(6, 5), most=3), x=margin, fill=PAPER)
    band = page.top + 9
    page.top = band + 9
    page.set(
        fit(_("This code is for"), width=inner, sizes=(5,), most=1), x=margin, gap=1.5, fill=MUTED
    )
    page.set(
        fit(art.node.name, width=inner, sizes=(13, 10, 8), most=3, bold=True),
        x=margin,
        gap=1,
        bold=True,
        fill=BRAND,
    )
    if art.place:
        page.set(fit(art.place, width=inner, sizes=(6,), most=2), x=margin, fill=MUTED)
    footer_top = 275.0
    scan = fit(
        _("Scan the code with your phone's camera, or type this address:"),
        width=inner,
        sizes=(5.5, 4.5),
        most=2,
    )
    address = fit(art.short_address, width=inner, sizes=(9, 7, 5.5), most=2, bold=True)
    words = 3 + scan.height + 2 + address.height
    # The code as large as the room left allows, between 60 and 100 mm.
    qr_width = round(max(min(footer_top - page.top - words - 10, 100), 60), 2)
    block = qr_width + words
    qr_y = round(page.top + max((footer_top - page.top - block) / 2, 3), 2)
    page.top = qr_y + qr_width + 3
    page.set(scan, x=width / 2, gap=2, anchor="middle", fill=MUTED)
    page.set(address, x=width / 2, bold=True, anchor="middle")
    page.top = footer_top
    footer = _(
        "You need no account, and you may stay anonymous: the code tells us which "
        "service, never who you are."
    )
    page.set(fit(footer, width=inner, sizes=(4.2, 3.6), most=2), x=margin, gap=2.5, fill=MUTED)
    page.set(Lines(lines=[settings.SITE_NAME], size=5), x=margin, bold=True, fill=BRAND)
    return Placed(
        art=art,
        kind=POSTER,
        width=width,
        height=height,
        texts=page.texts,
        band=round(band, 2),
        qr_x=(width - qr_width) / 2,
        qr_y=qr_y,
        qr_width=qr_width,
        label=_label(art),
    )


def _card(art: Artwork) -> Placed:
    """85 × 55 mm landscape: the code on the left, the words on the right, the address
    along the foot."""
    width, height = 85.0, 55.0
    qr_width, left = 42.0, 44.5
    inner = width - left - 3
    card = Layout(top=4, texts=[])
    card.set(
        fit(_("Tell us about your care"), width=inner, sizes=(4.2, 3.6, 3), most=3, bold=True),
        x=left,
        gap=2,
        bold=True,
    )
    card.set(
        fit(art.node.name, width=inner, sizes=(3.4, 2.8, 2.4), most=3, bold=True),
        x=left,
        gap=0.8,
        bold=True,
        fill=BRAND,
    )
    if art.place:
        card.set(fit(art.place, width=inner, sizes=(2.3,), most=3), x=left, fill=MUTED)
    card.top = 44.5
    card.set(
        fit(_("Scan the code, or type:"), width=width - 6, sizes=(2.4,), most=1),
        x=width / 2,
        gap=0.6,
        anchor="middle",
        fill=MUTED,
    )
    card.set(
        fit(art.short_address, width=width - 6, sizes=(3.4, 2.8, 2.2), most=1, bold=True),
        x=width / 2,
        bold=True,
        anchor="middle",
    )
    return Placed(
        art=art,
        kind=CARD,
        width=width,
        height=height,
        texts=card.texts,
        band=0,
        qr_x=1.5,
        qr_y=1.5,
        qr_width=qr_width,
        label=_label(art),
    )


def svg(art: Artwork, kind: str) -> str:
    """The poster or card as SVG markup (no XML declaration: it is also shown inline)."""
    placed = _poster(art) if kind == POSTER else _card(art)
    return render_to_string("waysin/_poster_artwork.html", {"p": placed})


def svg_file(art: Artwork, kind: str) -> bytes:
    """The poster or card as a standalone SVG file."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg(art, kind)).encode()


# A made PDF is kept this long. Its key is the hash of the artwork's own markup, so a
# renamed service, another address or another language is another key: nothing to clear.
PDF_CACHE_SECONDS = 24 * 60 * 60


def pdf(art: Artwork, kind: str, *, base_url: str) -> bytes:
    """The poster on one A4 page, or ten cards on an A4 sheet with guides to cut along.
    Raises apps.core.pdf.PdfError when the PDF cannot be made."""
    markup = svg(art, kind)
    key = f"waysin.poster.{kind}.pdf." + hashlib.sha256(markup.encode()).hexdigest()
    kept = cache.get(key)
    if isinstance(kept, bytes):
        return kept
    html = render_to_string(
        "waysin/poster_print.html",
        {"kind": kind, "art": art, "svg": markup, "cards": range(10)},
    )
    made = html_to_pdf(html, base_url=base_url)
    cache.set(key, made, PDF_CACHE_SECONDS)
    return made
