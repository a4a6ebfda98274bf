"""Characters that text from outside must not carry into the database, pages or feeds."""

from __future__ import annotations

import re

# C0 controls but tab, newline and carriage return; DEL; C1 controls. Nobody types them,
# and XML 1.0 (the feeds) cannot carry most of them at all.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# What XML 1.0 forbids outright: the controls above (but DEL and C1, which it allows),
# lone surrogates and the two non-characters U+FFFE and U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def strip_control(text: str) -> str:
    """The text without control characters, tab, newline and carriage return kept."""
    return CONTROL.sub("", text)


def xml_safe(text: str) -> str:
    """The text without the characters an XML 1.0 document cannot contain."""
    return XML_ILLEGAL.sub("", text)
