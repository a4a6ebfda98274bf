from typing import Any

from django import forms


class Form(forms.Form):
    """The site's forms: labels without Django's trailing colon, as the templates write them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
