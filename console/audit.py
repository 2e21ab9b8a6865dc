"""The audit log (private workspace): one JSON line per action - who, what, when. Never a password."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

AUDIT_LOG = "audit.log"


def record(workspace: Path, user: str | None, action: str, **details: object) -> None:
    """Append ``{"at", "user", "action", **details}`` to ``workspace/audit.log``."""
    workspace.mkdir(parents=True, exist_ok=True)
    line = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "user": user, "action": action, **details}
    with open(workspace / AUDIT_LOG, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, default=str) + "\n")


def entries(workspace: Path) -> list[dict]:
    """Every audit entry, oldest first."""
    path = workspace / AUDIT_LOG
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
