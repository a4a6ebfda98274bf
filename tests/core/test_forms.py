from __future__ import annotations

import re

import pytest
from django import forms

from apps.core.forms import DateBoxesField, Form, LongSelect


class Choose(Form):
    node = forms.ChoiceField(
        label="Where",
        choices=[("1", "Ward <7> & more"), ("2", "Theatres")],
        widget=LongSelect,
    )


def test_a_long_select_escapes_labels_and_keeps_the_choice() -> None:
    html = str(Choose(data={"node": "2"})["node"])
    assert html.startswith("<select ")
    assert 'name="node"' in html
    assert 'id="id_node"' in html
    assert "Ward &lt;7&gt; &amp; more" in html
    assert '<option value="2" selected>Theatres</option>' in html
    assert '<option value="1">' in html
    assert Choose(data={"node": "3"}).errors["node"]


class ChooseInGroups(Form):
    topic = forms.ChoiceField(
        label="About",
        choices=[
            ("", "Anything"),
            ("Aspect <of> care", [("food", "Food"), ("parking", "Parking")]),
            ("Feeling", [("grateful", "Grateful")]),
        ],
        widget=LongSelect,
        help_text="Choose one",
    )


def test_a_long_select_writes_groups_as_django_does() -> None:
    form = ChooseInGroups(data={"topic": "parking"})
    html = str(form["topic"])
    assert html.startswith("<select ")
    assert 'name="topic"' in html
    assert '<option value="">Anything</option>' in html
    assert (
        '<optgroup label="Aspect &lt;of&gt; care"><option value="food">Food</option>'
        '<option value="parking" selected>Parking</option></optgroup>'
    ) in html
    assert '<optgroup label="Feeling"><option value="grateful">Grateful</option></optgroup>' in html
    # The help text is tied to the field for screen readers, as with Django's own widget.
    assert 'aria-describedby="id_topic_helptext"' in html
    assert form.is_valid()


class When(Form):
    day = DateBoxesField(label="When", required=True, help_text="For example, 27 3 2026")


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"day_day": "3", "day_month": "x", "day_year": "2026"},
        {"day_year": '"><b>bold</b>'},
        {"day": "2026-01-02"},
    ],
)
def test_date_boxes_are_written_as_djangos_own_text_inputs(data: dict[str, str]) -> None:
    """Each box as Django's TextInput writes it through the form renderer: the same
    attributes in the same order, values escaped, required and errors marked."""
    form = When(data=data)
    form.is_valid()
    field = form["day"]
    widget = field.field.widget
    values = widget.value_from_datadict(form.data, {}, "day")
    values = values if isinstance(values, list) else widget.decompress(values)
    html = str(field)
    attrs = field.build_widget_attrs({"id": "id_day"})
    if field.errors:
        attrs["aria-invalid"] = "true"
    for part, box, value in zip(("day", "month", "year"), widget.widgets, values, strict=True):
        own = {k: v for k, v in attrs.items() if k != "id"} | {"id": f"id_day_{part}"}
        assert str(box.render(f"day_{part}", value, own)) in html
    if "<b>" in data.get("day_year", ""):
        assert 'value="&quot;&gt;&lt;b&gt;bold&lt;/b&gt;"' in html


@pytest.mark.parametrize("value", [None, "", "2", 2, "3"])
def test_a_long_select_marks_the_same_options_as_djangos_select(value: object) -> None:
    """Whatever the value, nothing chosen included, the options marked selected are those
    Django's own select marks."""
    choices = [("", "Any"), ("1", "One"), ("2", "Two")]

    def marked(widget: forms.Select) -> list[str]:
        widget.choices = choices
        html = str(widget.render("n", value))
        return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', html)

    assert marked(LongSelect()) == marked(forms.Select())
