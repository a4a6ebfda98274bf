"""Compiles the translation catalogues (locale/*/LC_MESSAGES/*.po) into the .mo files
Django reads, in pure Python (polib), so a machine without GNU gettext can run the site
and the tests. Only catalogues newer than their .mo are compiled; fuzzy entries are left
out, as msgfmt does. `make messages` (which does need gettext) extracts the strings.

    python -m config.catalogues
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import polib  # type: ignore[import-untyped]

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def compile_catalogues(locale: Path = LOCALE, *, force: bool = False) -> list[Path]:
    """Writes each stale .mo (atomically, as test workers may race); returns those written."""
    written = []
    for po_path in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        catalogue = polib.pofile(str(po_path))
        handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        os.close(handle)
        catalogue.save_as_mofile(temporary)
        os.replace(temporary, mo_path)
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogues(force="--force" in sys.argv):
        print(f"compiled {path.relative_to(LOCALE.parent)}")
