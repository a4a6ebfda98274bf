"""Where the real stories of ../shared/data are, when this machine has them.

Real published stories under a non-commercial licence: never in this repository, read
in place (CAREVOICE_SHARED_DATA names the folder, else ../shared/data beside the
checkout).
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED_STORIES = "care-opinion-stories.csv"


def shared_data_file(name: str = SHARED_STORIES) -> Path | None:
    root = os.environ.get("CAREVOICE_SHARED_DATA") or str(
        Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    path = Path(root) / name
    return path if path.is_file() else None
