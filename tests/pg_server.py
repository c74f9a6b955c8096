"""A throwaway PostgreSQL cluster for tests: initdb in a temporary folder, a server on
loopback (127.0.0.1, a free port, its unix socket in the same folder), stopped and removed at
the end.

PostgreSQL refuses to run as root: as root the cluster belongs to an unprivileged user (the
`postgres` user Debian's package creates) and its commands run through `runuser`.  Without
PostgreSQL's binaries `start` raises Unavailable, which the fixtures turn into a skip, unless
CABLEBASE_REQUIRE_POSTGRES=1 (CI), where a missing server is an error.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

REQUIRE = "CABLEBASE_REQUIRE_POSTGRES"
USER = "cablebase"  # the cluster's superuser (trust authentication on loopback only)
DATABASE = "cablebase_test"


class Unavailable(RuntimeError):
    """No PostgreSQL server can be started on this machine."""


def required() -> bool:
    return os.environ.get(REQUIRE, "") == "1"


def bin_dir() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "pg_ctl").exists() and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One cluster; `dsn` connects to its test database."""

    def __init__(self) -> None:
        self.bin = bin_dir()
        if self.bin is None:
            raise Unavailable("no PostgreSQL binaries (initdb, pg_ctl) on this machine")
        self.as_user: list[str] = []
        self.owner: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            try:
                self.owner = pwd.getpwnam("postgres")
            except KeyError:
                raise Unavailable("running as root and there is no `postgres` user") from None
            self.as_user = ["runuser", "-u", "postgres", "--"]
        # In /tmp when the cluster belongs to `postgres`: a TMPDIR under root's home would be
        # closed to it.  (Short, too: a unix socket's path holds at most 107 bytes.)
        where = "/tmp" if self.as_user else None
        self.root = Path(tempfile.mkdtemp(prefix="cablebase-pg-", dir=where))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self.started = False
        if self.owner is not None:
            os.chown(self.root, self.owner.pw_uid, self.owner.pw_gid)
        self.dsn = f"host=127.0.0.1 port={self.port} user={USER} dbname={DATABASE}"

    def _run(self, *args: str) -> None:
        cmd = [*self.as_user, str(self.bin / args[0]), *args[1:]]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.root)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise Unavailable(f"{args[0]} failed: {done.stderr.strip()[-2000:]}\n{log}")

    def start(self) -> Server:
        self._run(
            "initdb", "-D", str(self.data), "-U", USER, "--auth=trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        # A test server: durability off (a crash loses a throwaway cluster), small memory.
        options = (
            f"-p {self.port} -h 127.0.0.1 -k {self.root} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB"
            " -c max_connections=40"
        )
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data), "-l",
                  str(self.log), "-o", options)  # fmt: skip
        self.started = True
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, DATABASE)
        return self

    def stop(self) -> None:
        try:
            if self.started:
                self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))
                self.started = False
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def url(dsn: str) -> str:
    """The postgresql:// URL of a keyword DSN (host=… port=… user=… dbname=…), the form an
    archive location takes (store.open_store)."""
    kw = dict(part.split("=", 1) for part in dsn.split())
    return f"postgresql://{kw['user']}@{kw['host']}:{kw['port']}/{kw['dbname']}"


def start() -> Server:
    """A started server (Unavailable when none can be had); the caller stops it."""
    server = Server()
    try:
        return server.start()
    except BaseException:
        server.stop()
        raise
