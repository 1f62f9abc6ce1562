"""nginx as shipped, in front of three app processes: what tests/test_deploy_nginx.py runs against.

nginx runs the shipped templates (deploy/nginx/dialogue.conf.in inside deploy/nginx/nginx.conf.in), rendered by
the shipped deploy/nginx/render.py into a temporary prefix and started with ``nginx -p DIR -c DIR/nginx.conf``.
Only the values differ from production: the backends' ports, nginx's own ports on 127.0.0.1, the paths, and a
self-signed certificate made for the run. The three app processes are gunicorn with one gevent worker each, as
``make serve`` and dialogue-web@.service run them (tests/server_processes.py), on this run's database and one
Redis, with the settings of deploy/dialogue.env.example that concern the proxy (TRUSTED_PROXIES).

Clients are bound to their own loopback source addresses (127.0.0.2, 127.0.0.3, …: all of 127.0.0.0/8 is local),
so that ``hash $remote_addr`` sees different phones and spreads them over the processes.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

from tests.server_processes import ROOT, ServerError, ServerProcess, free_port, running_servers, server_env

DEPLOY = ROOT / "deploy"
RENDER = DEPLOY / "nginx" / "render.py"
ENV_EXAMPLE = DEPLOY / "dialogue.env.example"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PROCESSES = 3


def shipped_setting(name: str) -> str:
    """A value of deploy/dialogue.env.example (the file a deployment copies to /etc/dialogue/dialogue.env)."""
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{name}="):
            return line.split("=", 1)[1].strip()
    raise AssertionError(f"{name} is not set in {ENV_EXAMPLE}")


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


class BoundAdapter(HTTPAdapter):
    """Connections from one source address: one phone, as nginx sees it."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


@dataclass
class Hall:
    url: str  # https://127.0.0.1:<port>
    http_url: str  # the plain-HTTP server that redirects
    https_port: int
    certificate: Path
    prefix: Path
    servers: list[ServerProcess]
    nginx: subprocess.Popen
    addresses: Iterator[int] = field(default_factory=lambda: iter(range(2, 250)))

    @property
    def access_log(self) -> Path:
        return self.prefix / "logs" / "dialogue.access.log"

    def client(self, address: str | None = None) -> requests.Session:
        """A requests session from its own loopback address, trusting this run's certificate."""
        address = address or self.next_address()
        session = requests.Session()
        adapter = BoundAdapter(address)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        session.verify = str(self.certificate)
        session.trust_env = False  # no proxy and no CA bundle from the environment: this run's certificate only
        return session

    def next_address(self) -> str:
        return f"127.0.0.{next(self.addresses)}"

    def tls_socket(self, address: str) -> ssl.SSLSocket:
        """A TLS connection to nginx from ``address``, for a websocket (websocket-client cannot bind by itself)."""
        raw = socket.create_connection(("127.0.0.1", self.https_port), timeout=15, source_address=(address, 0))
        context = ssl.create_default_context(cafile=str(self.certificate))
        return context.wrap_socket(raw, server_hostname="127.0.0.1")

    def log_lines(self) -> list[dict[str, str]]:
        """The access log in the shipped `dialogue` format, one dict per request."""
        pattern = re.compile(
            r'^(?P<addr>\S+) \[[^\]]+\] "(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \d+ '
            r"upstream=(?P<upstream>\S+) rt="
        )
        lines = []
        for line in self.access_log.read_text(encoding="utf-8", errors="replace").splitlines():
            match = pattern.match(line)
            assert match, f"access log line not in the shipped format: {line}"
            lines.append(match.groupdict())
        return lines

    def nginx_error_log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.prefix / "logs" / "dialogue.error.log").read_text(errors="replace")[-4000:]
        return ""


def render_config(prefix: Path, *, ports: list[int], https_port: int, http_port: int, cert: Path, key: Path) -> Path:
    """The shipped templates, rendered by the shipped script with this run's values."""
    done = subprocess.run(
        [
            sys.executable,
            str(RENDER),
            "--standalone",
            str(prefix),
            "--ports",
            ",".join(map(str, ports)),
            "--listen-address",
            "127.0.0.1",
            "--https-port",
            str(https_port),
            "--http-port",
            str(http_port),
            "--server-name",
            "127.0.0.1 localhost",
            "--app-dir",
            str(ROOT),
            "--certificate",
            str(cert),
            "--certificate-key",
            str(key),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if done.returncode != 0:
        raise ServerError(f"render.py failed: {done.stderr}")
    return Path(done.stdout.strip())


def start_nginx(prefix: Path, conf: Path) -> subprocess.Popen:
    check = subprocess.run(
        [NGINX, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True, timeout=30, check=False
    )
    if check.returncode != 0:
        raise ServerError(f"nginx -t refused the shipped configuration:\n{check.stderr}")
    log = open(prefix / "logs" / "nginx.out", "wb")  # noqa: SIM115  (kept for the life of the process)
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    return process


def stop_nginx(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGQUIT)  # graceful: workers finish what they serve
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def wait_through_nginx(hall: Hall, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    client = hall.client("127.0.0.1")
    last = ""
    while time.monotonic() < deadline:
        if hall.nginx.poll() is not None:
            raise ServerError(f"nginx exited with {hall.nginx.returncode}:\n{hall.nginx_error_log()}")
        try:
            if client.get(hall.url + "/login", timeout=5).status_code == 200:
                return
        except requests.RequestException as exc:
            last = str(exc)
        time.sleep(0.2)
    raise ServerError(f"nginx did not answer in {timeout:.0f}s ({last}):\n{hall.nginx_error_log()}")


@contextlib.contextmanager
def nginx_hall(database_url: str, message_queue: str) -> Iterator[Hall]:
    prefix = Path(tempfile.mkdtemp(prefix="dialogue-nginx-"))
    # nginx's workers run as www-data when the tests run as root: they must reach the prefix's temporary files.
    prefix.chmod(0o755)
    try:
        cert, key = self_signed_certificate(prefix)
        https_port, http_port = free_port(), free_port()
        url = f"https://127.0.0.1:{https_port}"
        env = server_env(
            database_url,
            message_queue=message_queue,
            extra={
                "SOCKETIO_CHANNEL": f"dialogue-test-{uuid.uuid4().hex}",
                "TRUSTED_PROXIES": shipped_setting("TRUSTED_PROXIES"),
                "SESSION_COOKIE_SECURE": "1",  # production's default: the phones speak HTTPS to nginx
                "PUBLIC_BASE_URL": url,
            },
        )
        (prefix / "app").mkdir()
        with running_servers([env] * PROCESSES, log_dir=prefix / "app") as servers:
            conf = render_config(
                prefix,
                ports=[s.port for s in servers],
                https_port=https_port,
                http_port=http_port,
                cert=cert,
                key=key,
            )
            nginx = start_nginx(prefix, conf)
            hall = Hall(
                url=url,
                http_url=f"http://127.0.0.1:{http_port}",
                https_port=https_port,
                certificate=cert,
                prefix=prefix,
                servers=servers,
                nginx=nginx,
            )
            try:
                wait_through_nginx(hall)
                yield hall
            finally:
                stop_nginx(nginx)
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
