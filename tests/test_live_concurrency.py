"""Two clerks pressing "next" on the same state start exactly one turn; two requests to speak by the same person
make one waiting entry. Threads on PostgreSQL (row lock + unique indexes); the same outcome sequentially on
SQLite, which has no concurrent writers to race."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from dialogue.accounts.models import User
from dialogue.core.errors import Conflict
from dialogue.extensions import db
from dialogue.live import services
from dialogue.live.models import Speaker
from dialogue.sessions.models import DialogueSession
from tests.factories import act
from tests.live_fixtures import make_session


def _run_together(app, n, work):
    """Runs ``work(i)`` in ``n`` threads released at the same moment; returns their results or exceptions."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results[i] = work(i)
            except Exception as exc:
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def _speaking(session_id):
    return db.session.scalar(
        select(func.count(Speaker.id)).where(Speaker.session_id == session_id, Speaker.status == "speaking")
    )


def test_two_clerks_next_on_same_state_start_one_turn(app, tree, make_user, db_kind):
    session = make_session(tree)
    second_clerk = make_user("organizer", name="Thư ký 2")
    for person in tree.secretaries:
        act(services.request_to_speak, person, session.id)
    version = db.session.get(DialogueSession, session.id).live_version
    clerk_ids = [tree.organizer.id, second_clerk.id]
    sid = session.id

    def press(i):
        clerk = db.session.get(User, clerk_ids[i % 2])
        return act(services.next_speaker, clerk, sid, version=version).user_id

    if db_kind == "postgres":
        results = _run_together(app, 6, press)
    else:
        results = []
        for i in range(6):
            try:
                results.append(press(i))
            except Conflict as exc:
                results.append(exc)
    started = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(started) == 1, results
    assert len(refused) == 5 and all(r.code == "stale_version" for r in refused)
    db.session.expire_all()
    assert _speaking(session.id) == 1
    assert db.session.get(DialogueSession, session.id).live_version == version + 1
    waiting = db.session.scalar(
        select(func.count(Speaker.id)).where(Speaker.session_id == session.id, Speaker.status == "waiting")
    )
    assert waiting == 3


def test_next_without_version_under_contention_keeps_one_speaker(app, tree, db_kind):
    session = make_session(tree)
    for person in tree.secretaries:
        act(services.request_to_speak, person, session.id)

    sid, clerk_id = session.id, tree.organizer.id  # plain ids: the threads must not touch this thread's objects

    def press(i):
        return act(services.next_speaker, db.session.get(User, clerk_id), sid).user_id

    results = _run_together(app, 4, press) if db_kind == "postgres" else [press(i) for i in range(4)]
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 4  # each press called the next person, none twice
    db.session.expire_all()
    assert _speaking(session.id) == 1


def test_same_person_asking_twice_at_once_makes_one_entry(app, tree, db_kind):
    session = make_session(tree)
    person_id, sid = tree.secretaries[0].id, session.id

    def ask(i):
        return act(services.request_to_speak, db.session.get(User, person_id), sid).id

    results = _run_together(app, 8, ask) if db_kind == "postgres" else [ask(i) for i in range(8)]
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    db.session.expire_all()
    count = db.session.scalar(
        select(func.count(Speaker.id)).where(Speaker.session_id == session.id, Speaker.user_id == person_id)
    )
    assert count == 1
