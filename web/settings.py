"""The reading room's settings: from arguments, else ``NIANBAO_*`` environment variables."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PYWB = REPO / ".venv-pywb" / "bin" / "wayback"


@dataclass(frozen=True)
class WebSettings:
    db_url: str | None = None
    """Database URL (None: ``NIANBAO_DB``, else SQLite under the data directory)."""
    data_dir: str | None = None
    admin_token: str | None = None
    """``NIANBAO_ADMIN_TOKEN``: with it, mutating actions (registry import, schedule
    changes, crawl now) are open to whoever presents it; without it the room is read-only."""
    replay_url: str | None = None
    """Base URL of the replay server (pywb), another origin than the app's; None: no replay."""
    audit_wait: float = 20.0
    """``NIANBAO_WEB_AUDIT_WAIT``: seconds a findings page waits for a running audit."""
    default_lang: str = "zh"

    @classmethod
    def from_env(cls, **overrides: object) -> WebSettings:
        values: dict[str, object] = {
            "admin_token": os.environ.get("NIANBAO_ADMIN_TOKEN") or None,
            "replay_url": os.environ.get("NIANBAO_REPLAY_URL") or None,
            "audit_wait": float(os.environ.get("NIANBAO_WEB_AUDIT_WAIT") or 20.0),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        token = values.get("admin_token")
        if isinstance(token, str) and len(token) < 16:
            raise ValueError("NIANBAO_ADMIN_TOKEN must be at least 16 characters long")
        return cls(**values)  # type: ignore[arg-type]


def pywb_command() -> str | None:
    """pywb's ``wayback``: ``NIANBAO_PYWB``, else the project's ``.venv-pywb`` (made by
    scripts/bootstrap), else one on the PATH; None when there is none."""
    explicit = os.environ.get("NIANBAO_PYWB")
    if explicit:
        return explicit if Path(explicit).exists() else None
    if DEFAULT_PYWB.exists():
        return str(DEFAULT_PYWB)
    return shutil.which("wayback")
