from __future__ import annotations

from django import forms

from apps.core.forms import Form, LongSelect


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
