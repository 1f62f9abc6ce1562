"""Test fixtures. The suite runs on SQLite (``--db sqlite``) or PostgreSQL (``--db postgres``, from
``TEST_DATABASE_URL``); ``make test`` runs both when PostgreSQL is named.

The schema is built by the migrations (``flask db upgrade``), so tests run on what production runs. Every test
starts from empty tables.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text

from dialogue import create_app
from dialogue.accounts.models import User
from dialogue.accounts.services import create_user
from dialogue.core import timeutil
from dialogue.extensions import db
from dialogue.live import services as live_services
from dialogue.notifications.services import OUTBOX
from dialogue.units.models import Unit
from dialogue.units.services import create_unit

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", default="sqlite", choices=("sqlite", "postgres"), help="database to run the suite on")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """``postgres_only`` tests (pg_dump, pg_restore) run in the PostgreSQL run that ``make test`` does when
    TEST_DATABASE_URL is set (and .ci/run always does); the SQLite run reports them as skipped, with the reason."""
    if item.get_closest_marker("postgres_only") and item.config.getoption("--db") != "postgres":
        pytest.skip("PostgreSQL only: runs with --db postgres (TEST_DATABASE_URL)")


def postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


@pytest.fixture(scope="session")
def db_kind(pytestconfig: pytest.Config) -> str:
    return pytestconfig.getoption("--db")


@pytest.fixture(scope="session")
def database_url(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if db_kind == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    url = postgres_url()
    if not url:
        pytest.exit("--db postgres needs TEST_DATABASE_URL", returncode=1)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except Exception as exc:  # PostgreSQL required but unreachable: a failure, not a skip
        pytest.exit(f"PostgreSQL at TEST_DATABASE_URL is unreachable: {exc}", returncode=1)
    finally:
        engine.dispose()
    return url


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: its own ``g`` (so Flask-Login's cached user
    does not leak between requests) and its own database session. What the test did before the request is
    committed first (the test is the boundary of its own work, as a CLI command is), and afterwards the test's
    session is expired, so objects the test holds are re-read with what the request committed."""

    def open(self, *args, **kwargs):
        db.session.commit()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory):
    from flask_migrate import upgrade

    application = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=database_url,
        UPLOAD_DIR=str(tmp_path_factory.mktemp("uploads")),
        PUBLIC_BASE_URL="http://localhost",
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
    return application


@pytest.fixture(autouse=True)
def _app_context(app) -> Iterator[None]:
    """Each test runs inside an app context, on empty tables, with the real clock and an empty outbox."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        _empty_tables()
        live_services.forget_states()  # held snapshots name sessions by id and version, which start again
    timeutil.set_clock_offset(timedelta(0))
    OUTBOX.clear()


def _empty_tables() -> None:
    tables = [t for t in db.metadata.sorted_tables]
    engine = db.engine
    if engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            for table in reversed(tables):
                conn.execute(table.delete())
            conn.exec_driver_sql("DELETE FROM sqlite_sequence") if _has_sqlite_sequence(conn) else None
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def _has_sqlite_sequence(conn) -> bool:
    return bool(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'").fetchone())


@pytest.fixture
def client(app):
    return app.test_client()


# People and units ---------------------------------------------------------------------------------------------


@pytest.fixture
def make_unit():
    def factory(name: str, kind: str = "cell", parent: Unit | None = None) -> Unit:
        unit = create_unit(None, name=name, kind=kind, parent_id=parent.id if parent else None)
        db.session.commit()  # the test is the boundary: what it makes, later requests see
        return unit

    return factory


@pytest.fixture
def make_user():
    counter = {"n": 0}

    def factory(
        *roles: str,
        name: str | None = None,
        unit: Unit | None = None,
        password: str | None = None,
        email: str | None = None,
        phone: str | None = None,
    ) -> User:
        counter["n"] += 1
        n = counter["n"]
        user = create_user(
            None,
            name=name or f"Người dùng {n}",
            email=email or f"user{n}-{'-'.join(roles) or 'none'}@test.vn",
            phone=phone,
            roles=set(roles),
            unit_id=unit.id if unit else None,
            password=password,
        )
        db.session.commit()
        return user

    return factory


@pytest.fixture
def tree(make_unit, make_user):
    """A small district: two communes with two cells each, a secretary per cell, and one account per other role."""
    district = make_unit("Huyện ủy Châu Thành", "district")
    communes = [make_unit(name, "grassroots", district) for name in ("Đảng ủy xã Bình An", "Đảng ủy xã Giục Tượng")]
    cells, secretaries = [], []
    for commune in communes:
        for hamlet in ("Hòa An", "Tân Điền"):
            cell = make_unit(f"Chi bộ ấp {hamlet}", "cell", commune)
            cells.append(cell)
            secretaries.append(make_user("secretary", name=f"Bí thư {hamlet} {commune.id}", unit=cell))

    class Tree:
        pass

    t = Tree()
    t.district, t.communes, t.cells, t.secretaries = district, communes, cells, secretaries
    t.admin = make_user("admin", name="Quản trị", unit=district)
    t.organizer = make_user("organizer", name="Văn phòng", unit=district)
    t.host = make_user("host", name="Bí thư Huyện ủy", unit=district)
    t.secretariat = make_user("secretariat", name="Ủy ban Kiểm tra", unit=district)
    t.unit_account = make_user("unit", name="Tài khoản xã Bình An", unit=communes[0])
    return t


def login(client, user: User) -> None:
    """Signs ``user`` in on ``client`` the way Flask-Login remembers a session."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def login_as(client):
    def do(user: User):
        login(client, user)
        return client

    return do


@pytest.fixture
def token_for():
    from dialogue.accounts.services import create_api_token

    def make(user: User) -> dict[str, str]:
        _token, secret = create_api_token(None, user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


# Query counting ---------------------------------------------------------------------------------------------


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` then ``counter.count``: SQL statements issued inside the block."""

    @contextlib.contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            counter.statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


# A real server -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(app):
    """The app served by werkzeug on a free port in a thread (threading mode, real websockets)."""
    from werkzeug.serving import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            break
        time.sleep(0.05)

    class Live:
        url = f"http://127.0.0.1:{port}"

    yield Live
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    from playwright.sync_api import sync_playwright

    chromium = "/usr/bin/chromium"
    if not os.path.exists(chromium):
        pytest.fail("Browser tests need Debian's chromium: apt-get install -y chromium")
    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield instance
        instance.close()


def sign_in_page(page, base_url: str, login: str, password: str, next_path: str | None = None) -> None:
    """Signs in through the sign-in page with a password, as staff do (a personal link signs in only as an
    invitee), and waits for the page it leads to."""
    page.goto(base_url + "/login" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Email hoặc số điện thoại").fill(login)
    page.get_by_label("Mật khẩu").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(base_url + (next_path or "/"))
