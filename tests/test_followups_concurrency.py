"""Two people acting on the same commitment at once: exactly one wins, the other is told (409) the state it is in
now; never a 500, never both. Threads released together on PostgreSQL (the row lock serves them one after the
other); the same outcome in sequence on both databases."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from dialogue.accounts.models import User
from dialogue.audit.models import AuditEntry
from dialogue.core.errors import Conflict
from dialogue.extensions import db
from dialogue.followups import creation, operations
from dialogue.followups.models import Commitment, CommitmentUpdate
from tests.conftest import login
from tests.factories import act
from tests.followups_fixtures import due_in


def _run_together(app, works: list[Callable[[], Any]]) -> list[Any]:
    """Runs each of ``works`` in its own thread, released at the same moment; their results or exceptions."""
    barrier = threading.Barrier(len(works))
    results: list[Any] = [None] * len(works)

    def run(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results[i] = works[i]()
            except Exception as exc:
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def people(tree, make_user):
    second = make_user("secretariat", name="Văn phòng Huyện ủy (theo dõi)", unit=tree.district)
    return tree, second


def _commitment(tree, status: str = "done") -> int:
    made = act(
        creation.create_commitment,
        tree.host,
        description="Rà soát hồ sơ kiểm tra của 20 chi bộ",
        unit_id=tree.communes[0].id,
        due_date=due_in(30),
    )
    if status in ("in_progress", "done"):
        act(operations.start, tree.unit_account, made)
    if status == "done":
        act(operations.mark_done, tree.unit_account, made, report="Đã rà soát đủ 20 chi bộ.")
    return made.id


def _by_id(user_id: int) -> User:
    user = db.session.get(User, user_id)
    assert user is not None
    return user


def _move(user_id: int, commitment_id: int, move: str, seen: str | None) -> str:
    """One person's move as its own unit of work, on what they saw."""
    user = _by_id(user_id)
    commitment = db.session.get(Commitment, commitment_id)
    calls = {
        "verify": lambda: operations.verify(user, commitment, note="Đạt.", expected_status=seen),
        "reopen": lambda: operations.reopen(user, commitment, reason="Thiếu số liệu.", expected_status=seen),
        "cancel": lambda: operations.cancel(user, commitment, reason="Không còn cần.", expected_status=seen),
        "done": lambda: operations.mark_done(user, commitment, report="Đã xong.", expected_status=seen),
    }
    return act(calls[move]).status


PAIRS = [
    # (first mover, their move, second mover, their move, the state both saw)
    ("secretariat", "verify", "second", "reopen", "done"),
    ("secretariat", "verify", "second", "verify", "done"),
    ("unit_account", "done", "secretariat", "cancel", "in_progress"),
]


def _ids(tree, second) -> dict[str, int]:
    return {"secretariat": tree.secretariat.id, "second": second.id, "unit_account": tree.unit_account.id}


def _check(commitment_id: int, results: list[Any], seen: str) -> None:
    won = [r for r in results if isinstance(r, str)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1, results
    db.session.expire_all()
    now_state = db.session.get(Commitment, commitment_id).status
    assert won[0] == now_state
    words = {"verified": "Đã xác nhận", "in_progress": "Đang thực hiện", "done": "Đã hoàn thành", "cancelled": "Đã hủy"}
    assert f"“{words[now_state]}”" in lost[0].message  # the loser is told what it has become
    # Exactly one move was written: one line of history and one audit entry beyond the setup.
    moves = db.session.scalar(
        select(func.count(CommitmentUpdate.id)).where(
            CommitmentUpdate.commitment_id == commitment_id, CommitmentUpdate.from_status == seen
        )
    )
    assert moves == 1


@pytest.mark.postgres_only
@pytest.mark.parametrize(("first", "first_move", "other", "other_move", "seen"), PAIRS)
def test_two_people_at_once_on_postgres_one_wins(app, people, first, first_move, other, other_move, seen):
    tree, second = people
    cid = _commitment(tree, seen)
    ids = _ids(tree, second)
    for _round in range(3):  # released together several times, whoever the database serves first
        results = _run_together(
            app,
            [
                lambda cid=cid: _move(ids[first], cid, first_move, seen),
                lambda cid=cid: _move(ids[other], cid, other_move, seen),
            ],
        )
        _check(cid, results, seen)
        cid = _commitment(tree, seen)


@pytest.mark.parametrize(("first", "first_move", "other", "other_move", "seen"), PAIRS)
def test_one_after_the_other_the_second_is_told_the_new_state(people, first, first_move, other, other_move, seen):
    tree, second = people
    cid = _commitment(tree, seen)
    ids = _ids(tree, second)
    results: list[Any] = []
    for who, move in ((first, first_move), (other, other_move)):
        try:
            results.append(_move(ids[who], cid, move, seen))
        except Conflict as exc:
            results.append(exc)
    _check(cid, results, seen)


def test_verifying_twice_without_saying_what_was_seen_still_lets_one_through(people):
    """An API client that does not send ``expected_status``: the second verification finds it verified."""
    tree, second = people
    cid = _commitment(tree, "done")
    act(operations.verify, tree.secretariat, db.session.get(Commitment, cid))
    with pytest.raises(Conflict) as refused:
        act(operations.verify, second, db.session.get(Commitment, cid))
    assert "“Đã xác nhận”" in refused.value.message
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "commitment.verify")) == 1


@pytest.mark.postgres_only
def test_two_secretariat_members_through_the_api_and_the_pages_at_once(app, people, token_for):
    """Real requests in parallel: one 200 (or a redirect), one 409 naming the state; never a 500."""
    tree, second = people
    headers = [token_for(tree.secretariat), token_for(second)]
    for body_a, body_b in (
        (
            {"status": "verified", "expected_status": "done"},
            {"status": "in_progress", "reason": "Thiếu số liệu.", "expected_status": "done"},
        ),
        ({"status": "verified"}, {"status": "verified"}),  # clients that send no expected state
    ):
        cid = _commitment(tree, "done")
        db.session.commit()

        def patch(body: dict, auth: dict, cid: int = cid) -> tuple[int, dict]:
            reply = app.test_client().patch(f"/api/v1/commitments/{cid}", json=body, headers=auth)
            return reply.status_code, reply.get_json()

        results = _run_together(app, [lambda a=body_a: patch(a, headers[0]), lambda b=body_b: patch(b, headers[1])])
        statuses = sorted(r[0] for r in results)
        assert statuses == [200, 409], results
        refused = next(r[1] for r in results if r[0] == 409)
        assert "“Đã xác nhận”" in refused["error"]["message"] or "“Đang thực hiện”" in refused["error"]["message"]

    # The pages: the unit reports done while the secretariat cancels, both from what the page showed.
    cid = _commitment(tree, "in_progress")
    unit_id, secretariat_id = tree.unit_account.id, tree.secretariat.id  # plain ids: threads read their own rows
    db.session.commit()

    def page(user_id: int, action: str, data: dict) -> int:
        client = app.test_client()
        login(client, _by_id(user_id))
        return client.post(f"/followups/{cid}/{action}", data={**data, "seen_status": "in_progress"}).status_code

    results = _run_together(
        app,
        [
            lambda: page(unit_id, "done", {"d-report": "Đã xong."}),
            lambda: page(secretariat_id, "cancel", {"c-reason": "Không còn cần."}),
        ],
    )
    assert sorted(results) == [302, 409], results
    db.session.expire_all()
    assert db.session.get(Commitment, cid).status in ("done", "cancelled")
