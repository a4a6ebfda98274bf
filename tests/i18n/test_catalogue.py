"""The translation catalogue: every user-visible string goes through translation, the
Welsh catalogue holds every string the sources have, and the Welsh of the public site,
the tell flow and the author's pages and emails is complete, not fuzzy, and keeps every
placeholder (a lost %(name)s would break a Welsh page)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.core.management import call_command
from django.test import override_settings

from ..conftest import STRICT
from .untranslated import ROOT, find

CATALOGUE = ROOT / "locale" / "cy" / "LC_MESSAGES" / "django.po"
# Where the public site, the tell flow and the author's pages and emails take their
# words from: every entry used here must be in Welsh (docs/languages.md).
PUBLIC = (
    "templates/base.html",
    "templates/403.html",
    "templates/404.html",
    "templates/500.html",
    "templates/_pagination.html",
    "templates/includes/",
    "templates/pages/home.html",
    "templates/pages/page.html",
    "templates/stories/",
    "templates/organisations/",
    "templates/changes/public.html",
    "templates/changes/_story.html",
    "templates/changes/_organisation_changes.html",
    "templates/changes/_change.html",
    "templates/changes/email/to_author.txt",
    "templates/responses/_public_conversation.html",
    "templates/responses/_author_conversation.html",
    "templates/responses/_helpful.html",
    "templates/responses/_reply_form.html",
    "templates/responses/reply.html",
    "templates/responses/email/response_to_author.txt",
    "templates/feeds/",
    "templates/insights/_organisation_figures.html",
    "templates/waysin/kiosk",
    "templates/waysin/_face.html",
    "templates/waysin/poster",
    "templates/waysin/_poster",
    "templates/email/",
    "apps/stories/forms.py",
    "apps/stories/taxonomy.py",
    "apps/stories/views.py",
    "apps/stories/views_easy.py",
    "apps/stories/search/",
    "apps/pages/",
    "apps/organisations/",
    "apps/responses/views_public.py",
    "apps/responses/forms_public.py",
)
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]")


def _welsh() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def _public(entry: polib.POEntry) -> bool:
    return any(path.startswith(PUBLIC) for path, _line in entry.occurrences)


def _key(entry: polib.POEntry) -> tuple[str | None, str, str]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or "")


def test_no_user_visible_text_outside_translation() -> None:
    findings = find()
    listed = "\n".join(str(finding) for finding in findings[:60])
    assert not findings, (
        f"{len(findings)} user-visible strings outside translation "
        f"(wrap them; see docs/languages.md):\n{listed}"
    )


def test_the_welsh_catalogue_holds_every_string_of_the_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not (shutil.which("xgettext") and shutil.which("msgmerge")):
        message = "GNU gettext (xgettext) is needed to extract strings: apt-get install gettext"
        pytest.fail(message) if STRICT else pytest.skip(message)
    # makemessages writes to the catalogue beside the sources it reads, so it reads a
    # copy of them here and the committed catalogue is never touched.
    for part in ("apps", "templates", "config"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("*.mo"))
    fresh = tmp_path / "locale" / "cy" / "LC_MESSAGES" / "django.po"
    fresh.parent.mkdir(parents=True)
    shutil.copy(CATALOGUE, fresh)
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command(
            "makemessages",
            locale=["cy"],
            add_location="file",
            no_obsolete=True,
            verbosity=0,
        )
    extracted = {_key(e) for e in polib.pofile(str(fresh)) if not e.obsolete}
    committed = {_key(e) for e in _welsh() if not e.obsolete}
    missing = sorted(extracted - committed, key=str)[:30]
    stale = sorted(committed - extracted, key=str)[:30]
    assert not missing, f"strings not in locale/cy (run `make messages`): {missing}"
    assert not stale, f"locale/cy holds strings no source uses (run `make messages`): {stale}"


def test_welsh_is_complete_for_the_public_and_author_pages() -> None:
    gaps = [
        entry.msgid[:70]
        for entry in _welsh()
        if not entry.obsolete and _public(entry) and (entry.fuzzy or not entry.translated())
    ]
    assert not gaps, f"{len(gaps)} Welsh strings missing or fuzzy, e.g.: {gaps[:25]}"


def test_welsh_strings_keep_their_placeholders() -> None:
    wrong = []
    for entry in _welsh():
        if entry.obsolete or not entry.translated():
            continue
        english = set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            welsh = set(PLACEHOLDER.findall(form))
            if welsh - english or (not entry.msgid_plural and welsh != english):
                wrong.append(f"{entry.msgid[:50]!r} -> {form[:50]!r}")
    assert not wrong, f"Welsh strings whose placeholders differ: {wrong[:20]}"
