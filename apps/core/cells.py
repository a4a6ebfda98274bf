"""Cells of files people open in a spreadsheet (CSV and XLSX exports): text that no
spreadsheet will run as a formula, and a csv writer that hands each line back."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """Text a spreadsheet will not run as a formula: a value starting with = + - @, a tab
    or a carriage return gets a leading apostrophe (OWASP's advice for CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


class Echo:
    """A file-like object whose write returns what it was given, so `csv.writer(Echo())`
    gives each line as a string to stream."""

    def write(self, value: str) -> str:
        return value
