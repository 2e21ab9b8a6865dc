"""Data-owner accounts (salted scrypt hashes in the private workspace) and the session secret."""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

ACCOUNTS_FILE = "accounts.json"
SECRET_FILE = "session_secret"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
MIN_PASSWORD = 10
HASH_METHOD = "scrypt"
#: Checked against when the user is unknown, so that a wrong name costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone", method=HASH_METHOD)


class AccountError(ValueError):
    """A user name or password that cannot be accepted."""


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner only (0600), replacing it atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def load_accounts(workspace: Path) -> dict[str, str]:
    """User name -> password hash (empty when no account exists yet)."""
    path = workspace / ACCOUNTS_FILE
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8"))["users"])


def add_user(workspace: Path, name: str, password: str) -> None:
    """Create or replace the account ``name``; the password is stored as a salted scrypt hash only."""
    if not NAME_PATTERN.match(name):
        raise AccountError("a user name is 1-64 letters, digits, '.', '_' or '-'")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    users = load_accounts(workspace)
    users[name] = generate_password_hash(password, method=HASH_METHOD)
    _write_private(workspace / ACCOUNTS_FILE, json.dumps({"users": users}, indent=2))


def verify(workspace: Path, name: str, password: str) -> bool:
    """Whether ``password`` is the password of ``name`` (as slow for an unknown name as for a known one)."""
    stored = load_accounts(workspace).get(name)
    ok = check_password_hash(stored or _DUMMY_HASH, password)
    return ok and stored is not None


def session_secret(workspace: Path) -> str:
    """The secret that signs session cookies: generated on first start, then kept (0600) in the workspace."""
    path = workspace / SECRET_FILE
    if not path.is_file():
        _write_private(path, secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()
