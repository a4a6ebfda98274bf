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
