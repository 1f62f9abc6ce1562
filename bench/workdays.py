"""Benchmark of the working-day calendar: what a request pays to know the office's exceptions, and what the clocks
pay per row once it does.

1. **Per request.** Each round opens a fresh app context (a new request, as in production: ``g`` is empty) and
   times the first question to the calendar, for 10, 100 and 1,000 exceptions in the table. Beside it, the two
   ways a per-process cache could learn that another process changed the exceptions: reading a version number
   from a one-row table, and reading it from Redis (127.0.0.1:6379, skipped if it is down). The app reads the
   exceptions per request; the figures say what a version number would save.
2. **Per row.** 2,000 rows, each asking ``add_working_days(start, 10)``, ``add_working_days(start, 20)`` and
   ``working_days_between``, on a warm calendar; beside it the ``holidays`` library's own ``get_nth_working_day``
   (a day-by-day walk) for the same 10-day question.

    .venv/bin/python bench/workdays.py                       # a scratch SQLite file in a temporary folder
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DB .venv/bin/python bench/workdays.py

On PostgreSQL the run uses a schema of its own in DB (``bench_calendar``), dropped and recreated; nothing else is
touched. The database named ``test`` is refused.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

SIZES = (10, 100, 1_000)
ROUNDS = 200
ROWS = 2_000
SCHEMA = "bench_calendar"


def database(tmp: str) -> tuple[str, dict]:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(tmp) / 'bench-calendar.db'}", {}
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.rstrip("/").rsplit("/", 1)[-1] == "test":
        raise SystemExit("Refusing to use the database named `test`.")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    return url, {"pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={SCHEMA}"}}


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def fill(size: int) -> None:
    """``size`` days off on the law's working days from 2000 on (a century of an office's decisions at 1,000)."""
    from dialogue.calendar.models import DAY_OFF, CalendarException
    from dialogue.calendar.workcalendar import WorkCalendar
    from dialogue.extensions import db

    db.session.execute(CalendarException.__table__.delete())
    law, day, rows = WorkCalendar(), date(2000, 1, 3), []
    while len(rows) < size:
        if law.is_working_day(day):
            rows.append(
                {
                    "day": day,
                    "kind": DAY_OFF,
                    "note": f"Nghỉ {day:%d/%m/%Y}",
                    "created_at": datetime(2026, 1, 1, tzinfo=UTC),
                }
            )
        day += timedelta(days=9)
    db.session.execute(CalendarException.__table__.insert(), rows)
    db.session.commit()


def per_request(app, size: int, redis_client) -> dict[str, float]:
    from dialogue.calendar import services
    from dialogue.extensions import db

    with app.app_context():
        fill(size)
    read, version_row, version_redis = [], [], []
    for _ in range(ROUNDS):
        with app.app_context():
            started = time.perf_counter()
            services.is_working_day(date(2026, 2, 13))
            read.append(time.perf_counter() - started)
            db.session.remove()
        with app.app_context():
            started = time.perf_counter()
            db.session.execute(text("SELECT version FROM bench_calendar_version WHERE id = 1")).scalar()
            version_row.append(time.perf_counter() - started)
            db.session.remove()
        if redis_client is not None:
            started = time.perf_counter()
            redis_client.get("bench:calendar:version")
            version_redis.append(time.perf_counter() - started)
    return {
        "read exceptions": median_us(read),
        "version row": median_us(version_row),
        "version in Redis": median_us(version_redis) if version_redis else float("nan"),
    }


def per_row() -> dict[str, float]:
    import holidays

    from dialogue.calendar.workcalendar import WorkCalendar

    calendar = WorkCalendar(days_off=[date(2026, 2, 23)], working_days=[date(2026, 2, 28)])
    starts = [date(2025, 6, 1) + timedelta(days=n % 700) for n in range(ROWS)]
    for start in starts:  # warm: the year tables are built once per process
        calendar.add_working_days(start, 20)
    timings = []
    for _ in range(15):
        started = time.perf_counter()
        for start in starts:
            ack = calendar.add_working_days(start, 10)
            calendar.add_working_days(start, 20)
            calendar.working_days_between(start, ack)
        timings.append(time.perf_counter() - started)
    library = holidays.country_holidays("VN", years=range(2025, 2029))
    walk = []
    for _ in range(5):
        started = time.perf_counter()
        for start in starts:
            library.get_nth_working_day(start, 10)
        walk.append(time.perf_counter() - started)
    return {
        f"{ROWS} rows × 3 questions (ms)": statistics.median(timings) * 1e3,
        "one question (µs)": statistics.median(timings) / (ROWS * 3) * 1e6,
        f"library's walk, {ROWS} × 10 days (ms)": statistics.median(walk) * 1e3,
    }


def main() -> None:
    from flask_migrate import upgrade

    from dialogue import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url, engine_options = database(tmp)
        app = create_app(
            "test", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options, PUBLIC_BASE_URL="http://x"
        )
        with app.app_context():
            from dialogue.extensions import db

            upgrade()
            db.session.execute(text("CREATE TABLE bench_calendar_version (id INTEGER PRIMARY KEY, version INTEGER)"))
            db.session.execute(text("INSERT INTO bench_calendar_version VALUES (1, 1)"))
            db.session.commit()
        redis_client = None
        try:
            import redis

            redis_client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1)
            redis_client.set("bench:calendar:version", 1, ex=600)
        except Exception as exc:  # Redis down: the Redis column is left out
            print(f"(Redis not reachable: {exc.__class__.__name__})")
            redis_client = None
        kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"{kind}: median of {ROUNDS} fresh requests, µs")
        print(f"{'exceptions':>10} | {'read exceptions':>15} | {'version row':>11} | {'version in Redis':>16}")
        for size in SIZES:
            row = per_request(app, size, redis_client)
            print(
                f"{size:>10,} | {row['read exceptions']:>15.0f} | {row['version row']:>11.0f} | "
                f"{row['version in Redis']:>16.0f}"
            )
        for name, value in per_row().items():
            print(f"{name}: {value:.2f}")
        if redis_client is not None:
            redis_client.delete("bench:calendar:version")
        if engine_options:
            engine = create_engine(url)
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            engine.dispose()


if __name__ == "__main__":
    main()
