"""A real PostgreSQL server on loopback for the tests, run as an unprivileged user."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ADMIN, ADMIN_PASSWORD = "pgadmin", "admin-password-for-tests"


def server_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (Debian keeps them off PATH), or None."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    host: str
    port: int
    root: Path
    binaries: Path
    user: str | None  # the unprivileged user the server runs as, when the tests run as root

    def as_server_user(self, *command: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *command] if self.user else list(command)

    def psql(
        self,
        sql: str,
        database: str = "postgres",
        user: str = ADMIN,
        password: str = ADMIN_PASSWORD,
        check: bool = True,
    ) -> str:
        env = {**os.environ, "PGPASSWORD": password}
        result = subprocess.run(
            [
                "psql",
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                user,
                "-d",
                database,
                "-c",
                sql,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"psql failed: {result.stderr}")
        return result.stdout

    def stop(self) -> None:
        subprocess.run(
            self.as_server_user(
                str(self.binaries / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"
            ),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> Server:
    """initdb, then pg_ctl start on 127.0.0.1 with password authentication."""
    binaries = server_binaries()
    if binaries is None:
        raise FileNotFoundError("initdb")
    user = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        user = "postgres" if _user_exists("postgres") else "nobody"
    root = Path(tempfile.mkdtemp(prefix="pg-test-", dir="/tmp"))
    root.chmod(0o755)
    (root / "pwfile").write_text(ADMIN_PASSWORD + "\n")
    (root / "socket").mkdir()
    if user:
        uid, gid = pwd.getpwnam(user).pw_uid, pwd.getpwnam(user).pw_gid
        for path in (root, root / "pwfile", root / "socket"):
            os.chown(path, uid, gid)
    server = Server("127.0.0.1", _free_port(), root, binaries, user)
    run = lambda *command: subprocess.run(
        server.as_server_user(*command),
        capture_output=True,
        text=True,  # noqa: E731
        check=True,
        cwd=root,
    )
    run(
        str(binaries / "initdb"),
        "-D",
        str(root / "data"),
        "-U",
        ADMIN,
        "--pwfile",
        str(root / "pwfile"),
        "--auth-host=scram-sha-256",
        "--auth-local=peer",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    )
    run(
        str(binaries / "pg_ctl"),
        "-D",
        str(root / "data"),
        "-l",
        str(root / "server.log"),
        "-w",
        "-t",
        "60",
        "-o",
        f"-p {server.port} -k {root / 'socket'} -c listen_addresses=127.0.0.1",
        "start",
    )
    for _ in range(50):
        if (
            subprocess.run(["pg_isready", "-h", server.host, "-p", str(server.port)], capture_output=True).returncode
            == 0
        ):
            return server
        time.sleep(0.1)
    return server


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False
