"""Benchmark of the follow-up dashboard and the commitments API at a term's scale.

Seeds 500 and 50,000 commitments across 300 sessions (bulk inserts) into two scratch databases, and times the
secretariat's dashboard page (``GET /followups/``) and the API list (``GET /api/v1/commitments``) through Flask's
test client, the two sizes turn and turn about, taking the median of several runs. The target: the times at 50,000
are at most 1.5× those at 500.

    .venv/bin/python bench/followups.py                       # scratch SQLite files in a temporary folder
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DB .venv/bin/python bench/followups.py

On PostgreSQL each size gets a schema of its own in DB (``bench_followups_500``, ``bench_followups_50000``),
dropped and recreated; nothing else in DB is touched. The database named ``test`` is refused.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, delete, insert, text  # noqa: E402

SIZES = (500, 50_000)
SESSIONS = 300
RUNS = 15
WARMUP = 3


def database_for(size: int, tmp: str) -> tuple[str, dict]:
    """A scratch database per size: a SQLite file, or a schema of its own in the PostgreSQL database named by
    BENCH_DATABASE_URL (dropped and recreated; ``public`` is left alone)."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(tmp) / f'bench-followups-{size}.db'}", {}
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.rstrip("/").rsplit("/", 1)[-1] == "test":
        raise SystemExit("Refusing to use the database named `test`.")
    schema = f"bench_followups_{size}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    return url, {"pool_pre_ping": True, "connect_args": {"options": f"-csearch_path={schema}"}}


def seed_people_and_sessions():
    from dialogue.accounts.services import create_api_token, create_user
    from dialogue.core.timeutil import now
    from dialogue.extensions import db
    from dialogue.sessions.models import DialogueSession
    from dialogue.units.services import create_unit

    district = create_unit(None, name="Huyện ủy Châu Thành", kind="district")
    communes = [create_unit(None, name=f"Đảng ủy xã {i}", kind="grassroots", parent_id=district.id) for i in range(10)]
    cells = [
        create_unit(None, name=f"Chi bộ ấp {i}", kind="cell", parent_id=communes[i % 10].id, commit=False)
        for i in range(40)
    ]
    db.session.commit()
    secretariat = create_user(None, name="Ủy ban Kiểm tra", email="ubkt@bench.vn", roles={"secretariat"})
    _token, secret = create_api_token(None, secretariat, "bench")
    start = now() - timedelta(days=400)
    sessions = []
    for i in range(SESSIONS):
        begins = start + timedelta(days=i)
        sessions.append(
            DialogueSession(
                title=f"Đối thoại trực tiếp với bí thư chi bộ, đợt {i + 1}",
                topic="Công tác kiểm tra, giám sát",
                venue="Hội trường",
                starts_at=begins,
                ends_at=begins + timedelta(hours=3),
                questions_close_at=begins - timedelta(days=2),
                host_unit_id=district.id,
                status="ended",
            )
        )
    db.session.add_all(sessions)
    db.session.commit()
    unit_ids = [u.id for u in communes + cells]
    return secretariat, secret, unit_ids, [s.id for s in sessions]


def seed_commitments(n: int, unit_ids: list[int], session_ids: list[int], creator_id: int) -> None:
    from dialogue.core.timeutil import now, today_local
    from dialogue.extensions import db
    from dialogue.followups.models import Commitment

    db.session.execute(delete(Commitment))
    db.session.commit()
    today = today_local()
    stamp = now()
    statuses = ("assigned", "in_progress", "done", "verified", "cancelled")
    batch = []
    for i in range(n):
        status = statuses[i % 5]
        due = today + timedelta(days=(i * 7) % 181 - 90)
        batch.append(
            {
                "session_id": session_ids[i % len(session_ids)],
                "description": f"Nhiệm vụ {i}: rà soát, hướng dẫn quy trình kiểm tra đảng viên tại chi bộ",
                "unit_id": unit_ids[(i * 13) % len(unit_ids)],
                "due_date": due,
                "original_due_date": due,
                "priority": ("low", "normal", "high")[i % 3],
                "status": status,
                "progress": 100 if status in ("done", "verified") else (i * 10) % 100,
                "cancel_reason": "Không còn cần thiết" if status == "cancelled" else None,
                "result_report": "Đã hoàn thành" if status in ("done", "verified") else None,
                "done_at": stamp if status in ("done", "verified") else None,
                "verified_at": stamp if status == "verified" else None,
                "created_by_id": creator_id,
                "created_at": stamp,
                "search_text": f"nhiem vu {i}",
            }
        )
        if len(batch) == 5000:
            db.session.execute(insert(Commitment), batch)
            batch = []
    if batch:
        db.session.execute(insert(Commitment), batch)
    db.session.commit()
    # Statistics and (on PostgreSQL) the visibility map, as autovacuum leaves a table in steady state: without it
    # PostgreSQL cannot answer the counts from the covering indexes alone.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"))


def build(size: int, tmp: str):
    """An app on its own database holding ``size`` commitments, with a signed-in secretariat client."""
    from flask_migrate import upgrade

    from dialogue import create_app
    from dialogue.extensions import db

    url, engine_options = database_for(size, tmp)
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options, UPLOAD_DIR=tmp)
    with app.app_context():
        upgrade()
        secretariat, token, unit_ids, session_ids = seed_people_and_sessions()
        began = time.perf_counter()
        seed_commitments(size, unit_ids, session_ids, secretariat.id)
        print(f"seeded {size:>6} commitments across {SESSIONS} sessions in {time.perf_counter() - began:.1f} s")
        user_id = secretariat.id
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(user_id)
        cookie["_fresh"] = True
    return app, client, {"Authorization": f"Bearer {token}"}


def timed_ms(client, url: str, headers: dict | None) -> float:
    began = time.perf_counter()
    reply = client.get(url, headers=headers)
    elapsed = (time.perf_counter() - began) * 1000
    assert reply.status_code == 200, (url, reply.status_code)
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        apps = {size: build(size, tmp) for size in SIZES}
        targets = {
            "dashboard page  GET /followups/": ("/followups/", False),
            "dashboard, overdue filter": ("/followups/?overdue=1", False),
            "API list        GET /api/v1/commitments": ("/api/v1/commitments", True),
            "API list, overdue=true": ("/api/v1/commitments?overdue=true", True),
        }
        results: dict[str, dict[int, list[float]]] = {name: {size: [] for size in SIZES} for name in targets}
        # The two sizes are measured turn and turn about, so that the load of a shared machine falls on both alike.
        for name, (target, api) in targets.items():
            for _ in range(WARMUP):
                for _app, client, headers in apps.values():
                    timed_ms(client, target, headers if api else None)
            for _ in range(RUNS):
                for size, (_app, client, headers) in apps.items():
                    results[name][size].append(timed_ms(client, target, headers if api else None))
        engine = "postgresql" if os.environ.get("BENCH_DATABASE_URL") else "sqlite"
    print(f"\ndatabase: {engine}; median of {RUNS} runs after {WARMUP} warm-up runs, sizes measured alternately")
    print(f"{'':44}{SIZES[0]:>10}{SIZES[1]:>10}   ratio")
    worst = 0.0
    for name, row in results.items():
        small, large = statistics.median(row[SIZES[0]]), statistics.median(row[SIZES[1]])
        worst = max(worst, large / small)
        print(f"{name:44}{small:>8.1f}ms{large:>8.1f}ms   {large / small:.2f}×")
    print(f"\nworst ratio {worst:.2f}× (target ≤ 1.5×): {'OK' if worst <= 1.5 else 'ABOVE TARGET'}")


if __name__ == "__main__":
    main()
