"""Real server processes, started exactly as ``make serve`` starts them.

Used by the multi-process tests and by the benchmark (``bench/``). Each server is
``.venv/bin/gunicorn -k gevent -w 1 --worker-connections 5000 --bind 127.0.0.1:<port> wsgi:app`` with the
production configuration taken from the environment (``DIALOGUE_CONFIG=production``, ``SECRET_KEY``,
``DATABASE_URL``, ``SOCKETIO_MESSAGE_QUEUE``, ``SESSION_COOKIE_SECURE=0`` because the tests speak plain HTTP).
The database is prepared with ``flask db upgrade``; users and tokens can be made with the ``flask users create``
and ``flask tokens create`` commands. Everything is bounded by timeouts, and a server is always stopped, first
with SIGTERM (gunicorn's graceful stop), then SIGKILL of its own process group if it does not go.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project's virtualenv, as `make serve` uses it; else the one running this code.
VENV_BIN = ROOT / ".venv" / "bin" if (ROOT / ".venv" / "bin" / "gunicorn").exists() else Path(sys.executable).parent
GUNICORN = str(VENV_BIN / "gunicorn")
FLASK = [str(VENV_BIN / "flask"), "--app", "dialogue:create_app"]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


class ServerError(RuntimeError):
    """A server did not start, or a command around it failed; the message carries the server's log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sqlalchemy_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` name the psycopg 3 driver, as production's DATABASE_URL does."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def redis_reachable(host: str = REDIS_HOST, port: int = REDIS_PORT, timeout: float = 2.0) -> str | None:
    """None when Redis answers PING, else the reason it does not."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"PING\r\n")
            answer = s.recv(64)
    except OSError as exc:
        return f"Redis at {host}:{port} is unreachable: {exc}"
    if not answer.startswith(b"+PONG"):
        return f"Redis at {host}:{port} answered {answer!r} to PING"
    return None


def redis_url(db: int = 0) -> str:
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"


def server_env(
    database_url: str,
    *,
    message_queue: str | None = None,
    secret_key: str | None = "multi-process-test-secret",
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment ``make serve`` runs with, for one database and (optionally) one Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIALOGUE_", "SOCKETIO_", "TEST_DB"))}
    env.pop("SECRET_KEY", None)
    env.update(
        {
            "DIALOGUE_CONFIG": "production",
            "DATABASE_URL": sqlalchemy_url(database_url),
            "SESSION_COOKIE_SECURE": "0",
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    if message_queue:
        env["SOCKETIO_MESSAGE_QUEUE"] = message_queue
    env.update(extra or {})
    return env


def flask_cli(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Runs ``flask --app dialogue:create_app ARGS`` in ``env``; returns stdout, raises with stderr on failure."""
    done = subprocess.run(
        [*FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise ServerError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def prepare_database(env: dict[str, str]) -> None:
    """``flask db upgrade``, as ``make serve`` does before starting gunicorn."""
    flask_cli(env, "db", "upgrade")


def create_user(env: dict[str, str], *, email: str, name: str, roles: Sequence[str], unit_id: int | None = None) -> int:
    """``flask users create``; returns the new user's id (the command prints ``id<TAB>email<TAB>roles``)."""
    args = ["users", "create", "--email", email, "--name", name]
    for role in roles:
        args += ["--role", role]
    if unit_id is not None:
        args += ["--unit", str(unit_id)]
    out = flask_cli(env, *args)
    return int(out.strip().splitlines()[-1].split("\t")[0])


def create_token(env: dict[str, str], email: str) -> str:
    """``flask tokens create EMAIL``: the token alone on stdout."""
    return flask_cli(env, "tokens", "create", email).strip().splitlines()[-1]


def call_api(
    base_url: str, token: str | None, method: str, path: str, body: dict | None = None, timeout: float = 20.0
) -> tuple[int, dict]:
    """One JSON API call with a Bearer token; returns (status, decoded body or {})."""
    import requests

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.request(method, base_url + path, json=body, headers=headers, timeout=timeout)
    try:
        data = answer.json()
    except ValueError:
        data = {}
    return answer.status_code, data


def open_live_session(
    base_url: str,
    organizer_token: str,
    *,
    host_unit_id: int,
    invited_unit_ids: Sequence[int],
    host_ids: Sequence[int] = (),
    title: str = "Đối thoại trực tiếp với bí thư chi bộ",
    turn_seconds: int = 180,
) -> int:
    """Creates a session through the API (POST /api/v1/sessions) and moves it draft → open → closed → live."""
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    status, data = call_api(
        base_url,
        organizer_token,
        "POST",
        "/api/v1/sessions",
        {
            "title": title,
            "topic": "Công tác xây dựng Đảng ở cơ sở",
            "term": "2025-2030",
            "venue": "Hội trường Huyện ủy",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(),
            "questions_close_at": (start - timedelta(days=1)).isoformat(),
            "turn_seconds": turn_seconds,
            "host_unit_id": host_unit_id,
            "invited_unit_ids": list(invited_unit_ids),
            "host_ids": list(host_ids),
        },
    )
    if status != 201:
        raise ServerError(f"POST /api/v1/sessions answered {status}: {data}")
    session_id = int(data["id"])
    for state in ("open", "closed", "live"):
        status, data = call_api(base_url, organizer_token, "PATCH", f"/api/v1/sessions/{session_id}", {"status": state})
        if status != 200:
            raise ServerError(f"PATCH status={state} answered {status}: {data}")
    return session_id


def children_of(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc)."""
    found: list[int] = []
    children_file = Path(f"/proc/{pid}/task/{pid}/children")
    if children_file.exists():
        with contextlib.suppress(OSError):
            return [int(x) for x in children_file.read_text().split()]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found.append(int(entry.name))
    return found


def rss_kib(pid: int) -> int:
    """Resident memory of one process, in KiB (VmRSS in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise ServerError(f"no VmRSS for {pid}")


# `make serve` compiles these to bytecode before it starts gunicorn (APP_CODE in the Makefile).
APP_CODE = ("dialogue", "config.py", "wsgi.py")


def compile_bytecode(cwd: Path) -> None:
    """What ``make serve`` does before gunicorn: the served code as bytecode, so the worker does not compile it.

    The app's folder gets the Makefile's list; another folder (the benchmark's bare server) its own modules.
    """
    targets = list(APP_CODE) if cwd == ROOT else ["-l", "."]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *targets],
        cwd=cwd,
        check=True,
        timeout=120,
        capture_output=True,
    )


class ServerProcess:
    """One gunicorn master with one gevent worker, serving ``app_spec`` (``wsgi:app`` = ``make serve``)."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        port: int | None = None,
        app_spec: str = "wsgi:app",
        cwd: Path = ROOT,
        log_dir: Path | None = None,
        name: str = "server",
        worker_connections: int = 5000,
    ) -> None:
        self.env = env
        self.port = port or free_port()
        self.app_spec = app_spec
        self.cwd = cwd
        self.name = name
        self.worker_connections = worker_connections
        self.log_path = Path(log_dir or tempfile.mkdtemp(prefix="dialogue-server-")) / f"{name}-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def command(self) -> list[str]:
        return [
            GUNICORN,
            "-k",
            "gevent",
            "-w",
            "1",
            "--worker-connections",
            str(self.worker_connections),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--graceful-timeout",
            "10",
            # gunicorn 27 opens a control socket at ~/.gunicorn/gunicorn.ctl by default; several servers (and
            # other people's) on one machine would share it, so each of ours gets its own beside its log.
            "--control-socket",
            str(self.log_path.with_suffix(".ctl")),
            self.app_spec,
        ]

    def start(self) -> ServerProcess:
        compile_bytecode(self.cwd)
        log = open(self.log_path, "wb")  # noqa: SIM115  (kept open for the life of the process)
        self.process = subprocess.Popen(
            self.command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        return self

    def log(self, tail: int = 4000) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-tail:]
        return ""

    def wait_ready(self, path: str = "/login", timeout: float = 60.0) -> ServerProcess:
        """Waits until ``path`` answers over HTTP (any status below 500); raises with the log if the server dies."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        last_error = ""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(
                    f"{self.name} exited with {self.process.returncode} before it was ready:\n{self.log()}"
                )
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as answer:
                    if answer.status < 500:
                        return self
            except urllib.error.HTTPError as exc:
                if exc.code < 500:
                    return self
                last_error = f"HTTP {exc.code}"
            except OSError as exc:
                last_error = str(exc)
            time.sleep(0.1)
        raise ServerError(f"{self.name} not ready after {timeout:.0f}s ({last_error}):\n{self.log()}")

    @property
    def master_pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def worker_pid(self, timeout: float = 10.0) -> int:
        """The gevent worker's pid (gunicorn's only child)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            children = children_of(self.master_pid)
            if children:
                return children[0]
            time.sleep(0.1)
        raise ServerError(f"{self.name}: no worker process under {self.master_pid}")

    def worker_rss_kib(self) -> int:
        return rss_kib(self.worker_pid())

    def kill(self) -> None:
        """A crash: SIGKILL to the master and its worker (the server's own process group), no goodbye."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM (graceful), then SIGKILL of the server's own process group. Returns the exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        # A worker left behind by a killed master would keep the port and the database connections.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.returncode


@contextlib.contextmanager
def running_servers(
    envs: Sequence[dict[str, str]], *, ready_path: str = "/login", timeout: float = 60.0, **kwargs
) -> Iterator[list[ServerProcess]]:
    """Starts one server per environment (in parallel), waits for all of them, and always stops them."""
    servers = [ServerProcess(env, name=f"server{i + 1}", **kwargs) for i, env in enumerate(envs)]
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready(ready_path, timeout=timeout)
        yield servers
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":  # a manual check: python tests/server_processes.py DATABASE_URL
    env = server_env(sys.argv[1], message_queue=redis_url(0))
    prepare_database(env)
    with running_servers([env, env]) as started:
        for s in started:
            print(s.name, s.url, "worker", s.worker_pid(), "rss KiB", s.worker_rss_kib())
