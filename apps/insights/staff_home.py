"""The staff home's summary section (the "summary" slot of the staff home)."""

from __future__ import annotations

from django.http import HttpRequest

from apps.core.extensions import Section

from .home import home_summary


def staff_home_summary(request: HttpRequest) -> Section:
    """This month against last for the user's part of the tree; nothing for people who
    hold no role at a node."""
    return Section("insights/_staff_home.html", {"summary": home_summary(request.user)})
