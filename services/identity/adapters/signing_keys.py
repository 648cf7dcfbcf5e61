"""Identity's JWT signing keys in one file that every replica reads (IPP_JWT_KEYS_FILE).

The file is JSON, newest key first: {"keys": [{"kid", "created_at", "private_key_pem"}]}. JSON
rather than a PEM bundle because each key needs its id and its age beside it: the age is what
rotation uses to know when the tokens of a retired key have all expired. The newest key signs; all
are published in the JWKS. `ipp keys rotate` puts a new key in front and drops the keys retired
longer ago than a token lives. The file is written atomically (a temporary file renamed over it)
with mode 0600, and replicas reread it when it changes, so a rotation needs no restart.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.kit.auth import SigningKey, key_id, pem_key
from shared.kit.logs import log
from shared.kit.settings import Settings

LEGACY_PEM = (
    "jwt-ed25519.pem"  # the key each data directory made for itself before there was a key file
)


def new_key(now: float | None = None) -> SigningKey:
    private_key = Ed25519PrivateKey.generate()
    return SigningKey(
        key_id(private_key.public_key()), time.time() if now is None else now, private_key
    )


def _rfc3339(at: float) -> str:
    return (
        datetime.fromtimestamp(at, timezone.utc)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z")
    )


def read_keys(path: Path) -> list[SigningKey]:
    """The keys of a key file, newest first; ValueError when it is not one."""
    try:
        entries = json.loads(path.read_text())["keys"]
        keys = []
        for entry in entries:
            private_key = serialization.load_pem_private_key(
                entry["private_key_pem"].encode(), password=None
            )
            if not isinstance(private_key, Ed25519PrivateKey):
                raise ValueError("not an Ed25519 key")
            created_at = datetime.fromisoformat(
                entry["created_at"].replace("Z", "+00:00")
            ).timestamp()
            keys.append(SigningKey(str(entry["kid"]), created_at, private_key))
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a JWT key file: {exc!r}") from exc
    if not keys:
        raise ValueError(f"{path} holds no key")
    return keys


def write_keys(path: Path, keys: list[SigningKey], exclusive: bool = False) -> None:
    """Write the key file atomically with mode 0600; `exclusive`: only if none exists
    (FileExistsError else)."""
    entries = [
        {
            "kid": k.kid,
            "created_at": _rfc3339(k.created_at),
            "private_key_pem": k.private_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode(),
        }
        for k in keys
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}."
    )  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "w") as file:
            json.dump({"keys": entries}, file, indent=2)
            file.flush()
            os.fsync(file.fileno())
        if exclusive:
            os.link(temporary, path)
        else:
            os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def rotate(
    path: Path, keep_seconds: float, now: float | None = None
) -> tuple[SigningKey, list[str]]:
    """Put a new key in front; drop the keys retired (replaced by the key before them)
    over `keep_seconds` ago.

    A key's tokens live at most a token lifetime after it stopped signing, so with `keep_seconds` at
    least that long the JWKS never loses a key whose tokens are still live. A missing file is made
    with the new key alone."""
    now = time.time() if now is None else now
    keys = read_keys(path) if path.exists() else []
    fresh = new_key(now)
    kept = [fresh]
    dropped = []
    retired_at = now
    for key in keys:
        if now - retired_at > keep_seconds:
            dropped.append(key.kid)
        else:
            kept.append(key)
        retired_at = key.created_at
    write_keys(path, kept)
    return fresh, dropped


def prepare(path: Path, legacy_pem: Path | None, create: bool) -> None:
    """Make sure the key file exists: migrate the old per-directory key into it (its tokens keep
    verifying), or make a new key when `create` (development and test); else refuse to start."""
    if path.exists():
        return
    if legacy_pem is not None and legacy_pem.exists():
        keys = [pem_key(legacy_pem)]
        log.info("auth.key_file_migrated", file=str(path), kid=keys[0].kid)
    elif create:
        keys = [new_key()]
    else:
        raise RuntimeError(
            f"no JWT key file at {path}: make it once with `ipp keys rotate --file {path}`"
        )
    try:
        write_keys(path, keys, exclusive=True)
    except FileExistsError:
        pass  # another replica made it first: use theirs


class KeyFile:
    """The key file's keys as the signer asks for them; reread when the file
    changes (a rotation)."""

    def __init__(self, path: Path) -> None:
        self.path, self.lock = path, threading.Lock()
        self.stamp = self._stamp()
        self.keys = read_keys(path)

    @classmethod
    def of(cls, settings: Settings) -> KeyFile:
        """Identity's key file: IPP_JWT_KEYS_FILE, else <data_dir>/identity/jwt-keys.json (made
        outside production)."""
        path = settings.jwt_keys_file or settings.service_dir / "jwt-keys.json"
        prepare(path, settings.service_dir / LEGACY_PEM, create=settings.env != "production")
        return cls(path)

    def _stamp(self) -> tuple[int, int, int]:
        found = os.stat(self.path)
        return found.st_ino, found.st_mtime_ns, found.st_size

    def __call__(self) -> list[SigningKey]:
        with self.lock:
            try:
                stamp = self._stamp()
                if stamp != self.stamp:
                    # a broken file is reported once, and read again when it changes again
                    self.stamp = stamp
                    self.keys = read_keys(self.path)
                    log.info(
                        "auth.keys_reloaded", file=str(self.path), kids=[k.kid for k in self.keys]
                    )
            except (
                OSError,
                ValueError,
            ) as exc:  # a broken or vanished file: keep signing with what we had
                log.error("auth.key_file_unreadable", file=str(self.path), error=repr(exc)[:200])
            return self.keys
