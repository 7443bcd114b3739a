"""A throwaway PostgreSQL server for tests, from the Debian package, on a free loopback port."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path(os.environ.get("PHONEBANK_PG_BIN", "/usr/lib/postgresql/15/bin"))
# PostgreSQL refuses to run as root; the Debian package's own account runs it instead.
PG_OS_USER = "postgres"


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"


def unavailable_reason() -> str | None:
    """Why a server cannot be started here, or None when it can."""
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL binaries not found in {PG_BIN}: apt-get install postgresql-15"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", PG_OS_USER, "--", *args]


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start initdb + pg_ctl in a temporary directory; stop and delete it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="phonebank-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        account = pwd.getpwnam(PG_OS_USER)
        for path in (root, sockets):
            os.chown(path, account.pw_uid, account.pw_gid)
    port = _free_port()
    run = {"check": True, "capture_output": True, "text": True}
    try:
        subprocess.run(_as_server_user([
            str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "--no-sync", "-E", "UTF8",
        ]), **run)
        options = (
            f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(_as_server_user([
            str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
            "-w", "start",
        ]), **run)
        try:
            yield PostgresServer(host="127.0.0.1", port=port, user="postgres")
        finally:
            subprocess.run(_as_server_user([
                str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop",
            ]), capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
