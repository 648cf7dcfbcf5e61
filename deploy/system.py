"""Machine-level helpers: who we run as, and installing a missing Debian package when we may."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess

SERVICE_USER = "ipp-postgres"


def is_root() -> bool:
    """True when running as uid 0 (PostgreSQL then has to run as another user)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def user_exists(name: str) -> bool:
    """True when the system has a user `name`."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def unprivileged_user() -> str | None:
    """The user PostgreSQL runs as: None when we are not root, else `postgres`
    or a dedicated one."""
    if not is_root():
        return None
    for name in ("postgres", SERVICE_USER):
        if user_exists(name):
            return name
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
        check=True,
        capture_output=True,
    )
    return SERVICE_USER


def as_user(user: str | None) -> dict[str, object]:
    """Popen arguments that run a child as `user` (PostgreSQL refuses to run as root)."""
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def chown_tree(path: os.PathLike[str] | str, user: str | None) -> None:
    """Give `path` and everything under it to `user` (no-op when user is None)."""
    if user is None:
        return
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    os.chown(path, entry.pw_uid, entry.pw_gid)


def apt_install(*packages: str) -> bool:
    """Install Debian packages with apt-get, only as root and only where apt-get exists."""
    if not is_root() or shutil.which("apt-get") is None:
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    if subprocess.run(command, env=env, capture_output=True).returncode == 0:
        return True
    subprocess.run(["apt-get", "update"], env=env, capture_output=True)
    return subprocess.run(command, env=env, capture_output=True).returncode == 0
