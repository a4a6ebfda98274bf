"""The one error summary (templates/includes/error_summary.html): what it lists and links,
and that no template writes a summary of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template

from apps.core.forms import Form


class Visit(Form):
    name = forms.CharField(label="Your name")
    ward = forms.ChoiceField(
        label="Ward", choices=[("1", "Ward 1"), ("2", "Ward 2")], widget=forms.RadioSelect
    )
    key = forms.CharField(widget=forms.HiddenInput)

    def clean(self) -> dict[str, object]:
        raise forms.ValidationError("Those do not go together.")


def render(form: object = None, **options: object) -> str:
    flags = " ".join(f"{name}={name}" for name in options)
    template = Template(
        '{% include "includes/error_summary.html" with form=form ' + (flags and f"{flags} ") + "%}"
    )
    return template.render(Context({"form": form, **options})).strip()


def summary_items(html: str) -> list[str]:
    return [item.strip() for item in re.findall(r"<li>(.*?)</li>", html, re.S)]


def test_the_summary_lists_every_problem_and_links_each_to_its_field() -> None:
    html = render(Visit(data={}))
    assert html.startswith(
        '<div class="error-summary" role="alert" tabindex="-1" autofocus '
        'aria-labelledby="error-summary-title">'
    )
    assert '<h2 id="error-summary-title">There is a problem</h2>' in html
    assert summary_items(html) == [
        "Those do not go together.",  # the whole form's problem first, with no link
        '<a href="#id_name">Your name: This field is required.</a>',
        # A list of options links to its first option, which can take the focus.
        '<a href="#id_ward_0">Ward: This field is required.</a>',
        # A hidden field has nothing to go to.
        "Key: This field is required.",
    ]


def test_the_summary_options_keep_each_pages_wording() -> None:
    bare = summary_items(render(Visit(data={}), no_labels=True, link_first=True))
    assert bare[:2] == [
        '<a href="#id_name">Those do not go together.</a>',
        '<a href="#id_name">This field is required.</a>',
    ]
    only = summary_items(render(Visit(data={}), form_errors_only=True))
    assert only == ["Those do not go together."]


def test_a_form_without_problems_shows_no_summary() -> None:
    assert render(Visit()) == ""
    assert render(None) == ""


def test_a_prefixed_form_has_a_heading_of_its_own() -> None:
    html = render(Visit(data={}, prefix="made"))
    assert 'aria-labelledby="error-summary-title-made"' in html
    assert '<h2 id="error-summary-title-made">' in html
    assert '<a href="#id_made-name">' in html


def test_a_summary_that_is_not_a_forms_has_its_own_heading_and_words() -> None:
    html = render(None, summary_title="Nothing has been sent", summary_message="Correct it.")
    assert '<h2 id="error-summary-title">Nothing has been sent</h2>' in html
    assert "<p>Correct it.</p>" in html
    assert "<ul>" not in html


def test_several_forms_share_one_summary() -> None:
    template = Template('{% include "includes/error_summary.html" with forms=both %}')
    both = [Visit(data={}, prefix="a"), Visit(data={"name": "Jo"}, prefix="b")]
    html = template.render(Context({"both": both}))
    assert html.count('<div class="error-summary"') == 1
    assert '<a href="#id_a-name">' in html
    assert '<a href="#id_b-ward_0">' in html


# Anything that builds an error summary by hand: the summary's class, its heading, or a
# form's own problems written out.
STRAY = re.compile(r"error-summary|There is a problem|non_field_errors|errorlist")
THE_ONE = Path(settings.BASE_DIR) / "templates" / "includes" / "error_summary.html"


def _templates() -> list[Path]:
    roots = [
        Path(settings.BASE_DIR) / "templates",
        *Path(settings.BASE_DIR).glob("apps/*/templates"),
    ]
    return sorted(path for root in roots for path in root.rglob("*.html"))


def test_no_template_writes_its_own_error_summary() -> None:
    templates = _templates()
    assert THE_ONE in templates
    stray = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in templates
        if path != THE_ONE
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if STRAY.search(line)
    ]
    assert stray == [], f"include templates/includes/error_summary.html instead: {stray}"


@pytest.mark.parametrize(
    "page", ["stories/tell.html", "inbox/story.html", "account/login.html", "changes/detail.html"]
)
def test_pages_with_forms_include_the_one_summary(page: str) -> None:
    text = (Path(settings.BASE_DIR) / "templates" / page).read_text()
    assert '{% include "includes/error_summary.html"' in text
