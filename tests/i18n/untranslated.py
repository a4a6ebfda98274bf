"""Finds user-visible text that does not pass through Django's translation.

Templates: every run of text between tags, and the attributes a person reads or hears
(alt, title, aria-label, aria-description, placeholder, a button's value, a meta
description), once every template tag, variable, comment and
``{% blocktranslate %}`` block is taken out. Text inside <script>, <style> and <code>
is not read. Plain-text templates (emails) are read whole.

Python: string literals (and f-strings) given straight to what shows them: the
messages framework, ValidationError and add_error, a form field's label, help_text,
empty_label or error_messages, a widget's placeholder, the labels of TextChoices, and
HttpResponse bodies. API answers, log lines and command output are for operators and
stay in English.

A line may opt out with ``{# i18n: not text #}`` (templates) or ``# i18n: not text``
(Python), saying why, for words that are never translated.

    python -m tests.i18n.untranslated [path ...]   # lists file:line: text; exit 1 if any
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
LETTER = re.compile(r"[^\W\d_]")
HOLE = "\N{SECTION SIGN}"  # stands for a template tag or variable: no letters in it
OPT_OUT = "i18n: not text"
READ_ATTRIBUTES = {"alt", "title", "aria-label", "aria-description", "placeholder"}
SKIPPED_ELEMENTS = {"script", "style", "code"}
# Template blocks whose whole content is translated, or never shown.
SKIPPED_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
    "verbatim": "endverbatim",
}


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


def _shown(text: str) -> bool:
    return bool(LETTER.search(text.replace(HOLE, "")))


def _template_source(source: str) -> str:
    """The template with every tag, variable, comment and translated block replaced by
    HOLE, keeping the lines where they were."""
    out: list[str] = []
    closing: str | None = None
    for token in Lexer(source).tokenize():
        raw = token.contents
        if closing is not None:
            if token.token_type == TokenType.BLOCK and raw.split()[:1] == [closing]:
                closing = None
            out.append(HOLE + "\n" * _newlines(token))
            continue
        if token.token_type == TokenType.TEXT:
            out.append(raw)
            continue
        if token.token_type == TokenType.BLOCK:
            name = raw.split()[0] if raw.split() else ""
            closing = SKIPPED_BLOCKS.get(name)
        out.append(HOLE + "\n" * _newlines(token))
    return "".join(out)


def _newlines(token) -> int:  # type: ignore[no-untyped-def]
    return token.contents.count("\n")


class _TextFinder(HTMLParser):
    def __init__(self, path: str, opted_out: set[int]) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.opted_out = opted_out
        self.skipping: list[str] = []
        self.found: list[Finding] = []

    def _add(self, text: str, line: int) -> None:
        if line not in self.opted_out and _shown(text):
            self.found.append(Finding(self.path, line, " ".join(text.replace(HOLE, "…").split())))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = dict(attrs)
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES):
                self._add(value, line)
        if tag == "input" and values.get("type") in {"submit", "button", "reset"}:
            self._add(values.get("value") or "", line)
        if tag == "meta" and values.get("name") == "description":
            self._add(values.get("content") or "", line)
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        line = self.getpos()[0]
        for offset, text in enumerate(data.split("\n")):
            self._add(text, line + offset)


def _opted_out_lines(source: str) -> set[int]:
    return {n for n, line in enumerate(source.splitlines(), 1) if OPT_OUT in line}


def check_template(path: Path) -> list[Finding]:
    source = path.read_text(encoding="utf-8")
    name = str(path.relative_to(ROOT))
    opted_out = _opted_out_lines(source)
    stripped = _template_source(source)
    if path.suffix == ".txt":
        return [
            Finding(name, n, " ".join(line.replace(HOLE, "…").split()))
            for n, line in enumerate(stripped.splitlines(), 1)
            if n not in opted_out and _shown(line)
        ]
    finder = _TextFinder(name, opted_out)
    finder.feed(stripped)
    finder.close()
    return finder.found


# Python: where a literal is shown to a person.
MESSAGE_CALLS = {"success", "info", "warning", "error", "debug", "add_message"}
SHOWN_KEYWORDS = {"label", "help_text", "empty_label", "placeholder", "message"}
SHOWN_CALLS = {
    "ValidationError",
    "HttpResponse",
    "HttpResponseBadRequest",
    "HttpResponseForbidden",
    "HttpResponseNotFound",
}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}


def _is_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _shown(node.value) and " " in node.value.strip() or node.value[:1].isupper()
    return isinstance(node, ast.JoinedStr)


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _literal_text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    return ast.unparse(node)


class _PythonFinder(ast.NodeVisitor):
    def __init__(self, path: str, opted_out: set[int]) -> None:
        self.path = path
        self.opted_out = opted_out
        self.found: list[Finding] = []

    def _add(self, node: ast.AST) -> None:
        line = getattr(node, "lineno", 0)
        if line not in self.opted_out and _is_text(node):
            self.found.append(Finding(self.path, line, _literal_text(node)))

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        if name in MESSAGE_CALLS and isinstance(node.func, ast.Attribute):
            base = node.func.value
            if isinstance(base, ast.Name) and base.id == "messages":
                for arg in node.args[1:]:
                    self._add(arg)
        if name in SHOWN_CALLS and node.args:
            first = node.args[0]
            for shown in first.values if isinstance(first, ast.Dict) else [first]:
                self._add(shown)
        if name == "add_error" and len(node.args) > 1:
            self._add(node.args[1])
        self._keywords(node)
        self.generic_visit(node)

    def _keywords(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg in SHOWN_KEYWORDS:
                self._add(keyword.value)
            if keyword.arg == "error_messages" and isinstance(keyword.value, ast.Dict):
                for value in keyword.value.values:
                    self._add(value)
            if keyword.arg == "attrs" and isinstance(keyword.value, ast.Dict):
                for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value in READ_ATTRIBUTES:
                        self._add(value)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = {
            b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases
        }
        if bases & CHOICES_BASES:
            for item in node.body:
                if isinstance(item, ast.Assign) and isinstance(item.value, ast.Tuple):
                    elements = item.value.elts
                    if len(elements) >= 2:
                        self._add(elements[-1])
        self.generic_visit(node)


def check_python(path: Path) -> list[Finding]:
    source = path.read_text(encoding="utf-8")
    finder = _PythonFinder(str(path.relative_to(ROOT)), _opted_out_lines(source))
    finder.visit(ast.parse(source))
    return finder.found


def files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
            continue
        for found in sorted(path.rglob("*")):
            if "migrations" in found.parts or "__pycache__" in found.parts:
                continue
            if found.name == "serializers.py":  # the API schema, read by developers
                continue
            if found.suffix in {".html", ".txt", ".py"}:
                yield found


def find(paths: list[Path] | None = None) -> list[Finding]:
    """Every finding under the templates and apps (or the paths given)."""
    found: list[Finding] = []
    for path in files(paths or [ROOT / "templates", ROOT / "apps"]):
        if path.suffix == ".py":
            found.extend(check_python(path))
        else:
            found.extend(check_template(path))
    return found


def main(argv: list[str]) -> int:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    findings = find([Path(arg).resolve() for arg in argv] or None)
    for finding in findings:
        print(finding)
    print(f"{len(findings)} user-visible strings outside translation", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.exit(main(sys.argv[1:]))
