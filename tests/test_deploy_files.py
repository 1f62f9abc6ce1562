"""The shipped deployment files say what the app and its tests really run: nginx's template and its renderer, the
systemd units (checked by systemd-analyze), the settings file, the Redis and PostgreSQL snippets, the script that
prepares a machine for the tests, and documentation that a clone can follow without anything outside it."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from dialogue.extensions import db
from tests.server_processes import ServerProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"


def render(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(DEPLOY / "nginx" / "render.py"), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_the_nginx_site_defaults_to_the_production_layout():
    done = render("--server-name", "doithoai.example.vn")
    assert done.returncode == 0, done.stderr
    site = done.stdout
    assert "@" not in re.sub(r"#.*", "", site)  # every value filled
    upstream = re.search(r"upstream dialogue_web \{(.*?)\}", site, re.S).group(1)
    assert "hash $remote_addr consistent;" in upstream
    assert re.findall(r"server (127\.0\.0\.1:\d+)", upstream) == [f"127.0.0.1:{p}" for p in (8001, 8002, 8003)]
    assert "listen 443 ssl;" in site and "listen 80;" in site
    assert "server_name doithoai.example.vn;" in site
    assert "alias /srv/dialogue/static/;" in site
    assert "proxy_set_header Host $host;" in site  # the standard port: no port in Host
    assert "return 301 https://$host$request_uri;" in site
    assert site.count("location /socket.io/") == 1 and "proxy_set_header Upgrade $http_upgrade;" in site


def test_the_renderer_refuses_bad_values_and_unfilled_names(tmp_path):
    for ports in ("8001,abc", "8001,8001", "0", ""):
        refused = render("--ports", ports)
        assert refused.returncode == 2, ports
        assert "--ports" in refused.stderr
        assert refused.stdout == ""
    spec = importlib.util.spec_from_file_location("render", DEPLOY / "nginx" / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(module.RenderError, match="NEW_THING"):
        module.fill("listen @HTTPS_LISTEN@; root @NEW_THING@;", {"HTTPS_LISTEN": "443"})


def unit_files(tmp_path: Path) -> list[Path]:
    """The units with the checkout and settings file of this machine in place of /srv/dialogue and /etc/dialogue,
    and the web template instantiated for one port."""
    env_file = tmp_path / "dialogue.env"
    env_file.write_text((DEPLOY / "dialogue.env.example").read_text())
    written = []
    for unit in sorted(UNITS.iterdir()):
        content = (
            unit.read_text().replace("/srv/dialogue", str(ROOT)).replace("/etc/dialogue/dialogue.env", str(env_file))
        )
        name = unit.name.replace("@.service", "@8001.service")
        (tmp_path / name).write_text(content)
        written.append(tmp_path / name)
    return written


def test_systemd_accepts_every_unit(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing: run deploy/system-packages.sh (Debian's systemd)")
    units = unit_files(tmp_path)
    done = subprocess.run(
        [analyze, "verify", "--man=no", *map(str, units)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "" and done.stdout.strip() == ""  # not even a warning


def exec_start(unit: str) -> list[list[str]]:
    joined = (UNITS / unit).read_text().replace("\\\n", " ")
    return [shlex.split(line.split("=", 1)[1]) for line in joined.splitlines() if line.startswith("ExecStart=")]


def flag_pairs(words: list[str]) -> dict[str, str]:
    return {w: words[i + 1] for i, w in enumerate(words[:-1]) if w.startswith("-") and not words[i + 1].startswith("-")}


def test_a_web_unit_runs_what_make_serve_and_the_tests_run(tmp_path):
    (command,) = exec_start("dialogue-web@.service")
    assert command[0] == "/srv/dialogue/.venv/bin/gunicorn" and command[-1] == "wsgi:app"
    unit = flag_pairs(command)
    tested = flag_pairs(ServerProcess({}, port=8001, log_dir=tmp_path).command)
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    serve = flag_pairs(shlex.split(re.search(r"/bin/gunicorn (.*wsgi:app)", makefile).group(1)))
    for flag in ("-k", "-w", "--worker-connections", "--graceful-timeout"):
        assert unit[flag] == tested[flag] == serve[flag], flag
    assert (unit["-k"], unit["-w"]) == ("gevent", "1")
    assert unit["--bind"] == "127.0.0.1:%i"
    assert unit["--control-socket"] == "/run/dialogue-web-%i/gunicorn.ctl"  # one per process, not ~/.gunicorn
    assert "Requires=dialogue-migrate.service" in (UNITS / "dialogue-web@.service").read_text()
    migrate = exec_start("dialogue-migrate.service")
    assert migrate[0][1:] == ["--app", "dialogue:create_app", "db", "upgrade"]
    assert migrate[1][1:] == ["-m", "compileall", "-q", "dialogue", "config.py", "wsgi.py"]
    assert re.search(r"APP_CODE := dialogue config.py wsgi.py", makefile)


def test_the_worker_unit_starts_the_jobs_worker_and_every_unit_reads_the_settings():
    assert exec_start("dialogue-worker.service") == [
        ["/srv/dialogue/.venv/bin/flask", "--app", "dialogue:create_app", "jobs", "worker"]
    ]
    assert exec_start("dialogue-followups-remind.service") == [
        ["/srv/dialogue/.venv/bin/flask", "--app", "dialogue:create_app", "followups", "remind"]
    ]
    assert exec_start("dialogue-backup.service") == [
        ["/usr/bin/python3", "/srv/dialogue/deploy/backup.py", "--keep", "14", "/var/backups/dialogue"]
    ]
    for unit in UNITS.glob("*.service"):
        content = unit.read_text()
        assert "EnvironmentFile=/etc/dialogue/dialogue.env" in content, unit.name
        assert "User=dialogue" in content, unit.name


def config_settings() -> set[str]:
    return set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', (ROOT / "config.py").read_text()))


def test_the_settings_file_names_only_what_the_app_reads_and_the_docs_name_everything():
    example = (DEPLOY / "dialogue.env.example").read_text()
    named = set(re.findall(r"^#?([A-Z][A-Z_]+)=", example, re.M))
    assert named <= config_settings() | {"DIALOGUE_CONFIG"}
    for required in ("SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL", "SOCKETIO_MESSAGE_QUEUE", "UPLOAD_DIR"):
        assert re.search(rf"^{required}=", example, re.M), required
    assert re.search(r"^TRUSTED_PROXIES=1$", example, re.M)  # one nginx in front (tests/test_deploy_nginx.py)
    deployment = (ROOT / "docs" / "deployment.md").read_text()
    read = (config_settings() | {"DIALOGUE_CONFIG"}) - {"TEST_DB_URI"}  # TestConfig's, no part of a deployment
    missing = sorted(name for name in read if f"`{name}`" not in deployment)
    assert missing == []


def test_the_redis_settings_start_a_redis_that_keeps_its_queue(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", str(DEPLOY / "redis" / "dialogue.conf"), "--port", str(port), "--dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stdout.read().decode(errors="replace")) from None
                time.sleep(0.1)
        with conn:

            def ask(*words: str) -> bytes:
                request = b"*%d\r\n" % len(words) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w.encode()) for w in words)
                conn.sendall(request)
                time.sleep(0.1)
                return conn.recv(4096)

            assert b"noeviction" in ask("CONFIG", "GET", "maxmemory-policy")
            assert b"\r\nyes\r\n" in ask("CONFIG", "GET", "appendonly")
            assert b"67108864 16777216 60" in ask("CONFIG", "GET", "client-output-buffer-limit")
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.postgres_only
def test_the_postgresql_settings_are_settings_this_server_knows():
    lines = [
        line.split("#", 1)[0].strip()
        for line in (DEPLOY / "postgresql" / "dialogue.conf").read_text().splitlines()
        if line.split("#", 1)[0].strip()
    ]
    settings = dict(re.fullmatch(r"(\w+)\s*=\s*(.+)", line).groups() for line in lines)
    query = text("SELECT lower(name) AS name, vartype, enumvals FROM pg_settings")
    known = {row.name: row for row in db.session.execute(query)}
    for name, value in settings.items():
        assert name.lower() in known, name  # names are case-insensitive (TimeZone)
        value = value.strip("'")
        row = known[name.lower()]
        if row.vartype == "bool":
            assert value in ("on", "off"), name
        elif row.vartype == "enum":
            assert value in row.enumvals, name
        elif row.vartype in ("integer", "real"):
            assert re.fullmatch(r"\d+(\.\d+)?(kB|MB|GB|ms|s|min)?", value), name


def test_the_test_machine_script_says_what_to_install_when_it_cannot(tmp_path):
    script = DEPLOY / "system-packages.sh"
    command = ["/bin/bash", str(script)]
    if os.geteuid() == 0:  # as root it would install: run it as nobody, who cannot
        command = [
            shutil.which("setpriv") or "/usr/bin/setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            *command,
        ]
    refused = subprocess.run(
        command, env={"PATH": str(tmp_path)}, capture_output=True, text=True, timeout=30, check=False
    )
    assert refused.returncode == 1
    assert "libreoffice-writer-nogui" in refused.stderr and "poppler-utils" in refused.stderr
    assert re.search(r"apt-get update && apt-get install -y [a-z0-9 .+-]*poppler-utils", refused.stderr)
    assert "installing" not in refused.stdout
    ready = subprocess.run(["/bin/bash", str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert ready.returncode == 0, ready.stderr  # this machine has everything


MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def links(path: Path) -> list[str]:
    return MARKDOWN_LINK.findall(path.read_text(encoding="utf-8"))


def test_the_readme_and_the_docs_link_only_inside_the_repository():
    documents = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert len(documents) >= 6
    for document in documents:
        text_ = document.read_text(encoding="utf-8")
        assert "../shared" not in text_ and "/work/" not in text_, document.name
        for target in links(document):
            if re.match(r"[a-z]+:", target):  # outside the repository: only the running app's own API pages
                assert re.fullmatch(r"https?://[^/]+/api/(docs|openapi\.json)", target), (document.name, target)
                continue
            if target.startswith("#"):
                continue
            path = (document.parent / target.split("#", 1)[0]).resolve()
            assert path.exists() and ROOT in path.parents, (document.name, target)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.splitlines()[2:5] == [
        "```sh",
        "make run    # virtualenv, install, migrate, demo data on the first run, serve http://127.0.0.1:5000 (SQLite)",
        "make test   # ruff, then the whole suite on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set",
    ]
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8").splitlines()
    assert "(docs/domain.md)" in contributing[2] and "(docs/api.md)" in contributing[2]


def test_the_command_line_wrapper_reads_the_settings_file_as_systemd_does(tmp_path):
    env_file = tmp_path / "dialogue.env"
    env_file.write_text(
        "# an installation\n"
        "DIALOGUE_CONFIG=production\n"
        'SECRET_KEY="mot-khoa-bi-mat"\n'
        f"DATABASE_URL=sqlite:///{tmp_path / 'app.db'}\n"
        "  MAIL_SENDER=Văn phòng Huyện ủy <vanphong@example.vn>\n"
        "PUBLIC_BASE_URL='https://doithoai.example.vn'\n"
    )
    env = {"PATH": os.environ["PATH"], "DIALOGUE_ENV": str(env_file)}

    def flask(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(DEPLOY / "flask.sh"), *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    assert flask("db", "upgrade").returncode == 0
    made = flask("users", "create", "--email", "it@example.vn", "--name", "Quản trị", "--role", "admin")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().endswith("it@example.vn\tadmin")  # production refuses to start without SECRET_KEY
    env["DIALOGUE_ENV"] = str(tmp_path / "missing.env")
    missing = flask("users", "create")
    assert missing.returncode == 1 and "cannot read" in missing.stderr
