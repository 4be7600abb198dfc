"""Editor accounts in DATA_DIR/users.json (mode 0600): names and argon2 password hashes only."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import filelock
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from archive.store import atomic_write

USERS = "users.json"
NAME = re.compile(r"^[\w.-]{1,40}$")  # shown in the header and the audit log: no spaces or markup
MIN_PASSWORD = 8
_HASHER = PasswordHasher()
# Verifying against this when the name is unknown takes as long as a real check: no timing oracle.
_DUMMY = _HASHER.hash("not a password of anyone")


class AccountError(ValueError):
    """A bad name or password, or a users file that cannot be read; one line for the user."""


def _path(data_dir: Path) -> Path:
    return Path(data_dir) / USERS


def load(data_dir: Path) -> dict[str, str]:
    """Name -> argon2 hash; empty when no account was made yet."""
    path = _path(data_dir)
    try:
        users = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except ValueError:
        raise AccountError(f"{path}: damaged (not JSON)") from None
    if not isinstance(users, dict) or not all(isinstance(v, str) for v in users.values()):
        raise AccountError(f"{path}: damaged (expected name -> hash)")
    return users


def _locked(data_dir: Path) -> filelock.FileLock:
    """The lock held around a load-modify-save of users.json, so parallel changes are not lost."""
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    return filelock.FileLock(_path(data_dir).with_name(f"{USERS}.lock"), timeout=30)


def _save(data_dir: Path, users: dict[str, str]) -> None:
    """Atomically, readable by the owner only (the temp file is created 0600 and renamed)."""
    path = _path(data_dir)
    atomic_write(path, json.dumps(users, ensure_ascii=False, indent=1, sort_keys=True).encode())
    os.chmod(path, 0o600)


def check_password(password: str) -> None:
    """Refuse passwords too short to survive a guess."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符 (password too short)")


def set_password(data_dir: Path, name: str, password: str, *, new: bool) -> None:
    """Add an account (`new`) or change the password of an existing one."""
    if not NAME.match(name):
        raise AccountError("用户名只能含字母、数字、_ . - (invalid user name)")
    check_password(password)
    hashed = _HASHER.hash(password)  # slow: done before taking the lock
    with _locked(data_dir):
        users = load(data_dir)
        if new and name in users:
            raise AccountError(f"用户 {name} 已存在 (user exists)")
        if not new and name not in users:
            raise AccountError(f"没有用户 {name} (no such user)")
        users[name] = hashed
        _save(data_dir, users)


def remove(data_dir: Path, name: str) -> None:
    """Remove an account; its sessions end with it (see `stamp`)."""
    with _locked(data_dir):
        users = load(data_dir)
        if users.pop(name, None) is None:
            raise AccountError(f"没有用户 {name} (no such user)")
        _save(data_dir, users)


def verify(data_dir: Path, name: str, password: str) -> bool:
    """Whether the password is the account's; unknown names cost the same time."""
    stored = load(data_dir).get(name)
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def stamp(data_dir: Path, name: str) -> str | None:
    """A fingerprint of the account's current hash, kept in its sessions: a new password or a
    removed account ends every session signed in before."""
    stored = load(data_dir).get(name)
    return hashlib.sha256(stored.encode()).hexdigest()[:16] if stored else None
