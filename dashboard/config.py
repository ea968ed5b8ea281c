"""Runtime settings read from the environment (never hard-coded secrets)."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build_dir() -> Path:
    return Path(os.environ.get("WELLBEING_BUILD_DIR", ROOT / "data" / "build"))


def raw_dir() -> Path:
    return Path(os.environ.get("WELLBEING_RAW_DIR", ROOT / "data" / "raw"))


def database_url() -> str:
    default = f"sqlite:///{ROOT / 'instance' / 'assessments.sqlite'}"
    return os.environ.get("DATABASE_URL", default)


def port() -> int:
    try:
        return int(os.environ.get("PORT", "8050"))
    except ValueError:
        return 8050
