"""The speakers' queue, check-in and the snapshot: the rules of the live session (services)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialogue.audit.models import AuditEntry
from dialogue.core import timeutil
from dialogue.core.errors import Conflict, Forbidden, NotFound
from dialogue.extensions import db
from dialogue.live import services
from dialogue.live.models import Speaker
from dialogue.sessions.models import DialogueSession
from tests.factories import act
from tests.live_fixtures import make_question, make_session


@pytest.fixture
def live_session(tree):
    return make_session(tree)


def _version(session_id):
    db.session.expire_all()
    return db.session.get(DialogueSession, session_id).live_version


def test_status_change_bumps_version_and_sets_opening_time(tree):
    session = make_session(tree, status="open")
    v = _version(session.id)
    from dialogue.sessions.services import change_status

    act(change_status, tree.organizer, session, "live")
    assert _version(session.id) == v + 1
    assert db.session.get(DialogueSession, session.id).opened_at is not None


def test_check_in_is_idempotent_counts_and_bumps_version_once(tree, live_session):
    s1 = tree.secretaries[0]
    v = _version(live_session.id)
    inv = act(services.check_in, tree.organizer, live_session.id, s1.id)
    assert inv.checked_in_at is not None
    again = act(services.check_in, tree.organizer, live_session.id, s1.id)
    assert again.checked_in_at == inv.checked_in_at
    assert _version(live_session.id) == v + 1
    snap = services.snapshot(db.session.get(DialogueSession, live_session.id))
    assert snap["attendance"]["invited"] == 4 and snap["attendance"]["present"] == 1
    by_unit = {u["name"]: (u["present"], u["invited"]) for u in snap["attendance"]["by_unit"]}
    assert by_unit == {"Đảng ủy xã Bình An": (1, 2), "Đảng ủy xã Giục Tượng": (0, 2)}  # by commune, not by cell
    assert db.session.query(AuditEntry).filter_by(action="session.check_in").count() == 1
    with pytest.raises(NotFound):
        act(services.check_in, tree.organizer, live_session.id, tree.host.id)  # not invited
    with pytest.raises(Forbidden):
        act(services.check_in, tree.secretaries[1], live_session.id, tree.secretaries[2].id)  # someone else


def test_self_check_in_only_while_live(tree):
    session = make_session(tree, status="closed")
    with pytest.raises(Conflict):
        act(services.check_in, tree.secretaries[0], session.id, tree.secretaries[0].id)
    assert act(services.check_in, tree.organizer, session.id, tree.secretaries[0].id).checked_in_at is not None


def test_queue_one_waiting_entry_per_person_and_order(tree, live_session):
    a, b, c = tree.secretaries[:3]
    first = act(services.request_to_speak, a, live_session.id)
    assert act(services.request_to_speak, a, live_session.id).id == first.id
    act(services.request_to_speak, b, live_session.id)
    act(services.request_to_speak, tree.organizer, live_session.id, user_id=c.id)
    snap = services.snapshot(db.session.get(DialogueSession, live_session.id))
    assert [q["user_id"] for q in snap["queue"]] == [a.id, b.id, c.id]
    assert [q["position"] for q in snap["queue"]] == [1, 2, 3]
    assert db.session.query(Speaker).filter_by(session_id=live_session.id, user_id=a.id).count() == 1
    with pytest.raises(Forbidden):
        act(services.request_to_speak, a, live_session.id, user_id=b.id)


def test_next_finish_pause_resume_and_the_clock(tree, live_session):
    a, b = tree.secretaries[:2]
    act(services.request_to_speak, a, live_session.id)
    act(services.request_to_speak, b, live_session.id)
    v = _version(live_session.id)
    turn = act(services.next_speaker, tree.organizer, live_session.id, version=v)
    assert turn.user_id == a.id and turn.status == "speaking"
    timeutil.set_clock_offset(timedelta(seconds=100))
    snap = services.snapshot(db.session.get(DialogueSession, live_session.id))
    assert snap["current"]["user_id"] == a.id
    assert 79 <= snap["current"]["seconds_left"] <= 80
    act(services.pause_turn, tree.organizer, turn.id)
    timeutil.set_clock_offset(timedelta(seconds=400))  # 300 s of pause do not count
    snap = services.snapshot(db.session.get(DialogueSession, live_session.id))
    assert snap["current"]["paused"] is True and 79 <= snap["current"]["seconds_left"] <= 80
    act(services.resume_turn, tree.organizer, turn.id)
    timeutil.set_clock_offset(timedelta(seconds=490))  # 190 s of speaking in all: 10 s over
    snap = services.snapshot(db.session.get(DialogueSession, live_session.id))
    assert -11 <= snap["current"]["seconds_left"] <= -9 and snap["current"]["overrun_seconds"] >= 9
    second = act(services.next_speaker, tree.organizer, live_session.id)
    assert second.user_id == b.id
    snap = services.snapshot(db.session.get(DialogueSession, live_session.id))
    assert snap["turns_done"] == 1 and snap["queue"] == []
    assert 189 <= snap["time_used_seconds"] <= 191
    act(services.finish_turn, tree.organizer, second.id)
    with pytest.raises(Conflict):
        act(services.next_speaker, tree.organizer, live_session.id)  # nobody waits
    snap = services.snapshot(db.session.get(DialogueSession, live_session.id))
    assert snap["turns_done"] == 2 and snap["current"] is None


def test_warning_in_the_last_30_seconds(tree, live_session):
    act(services.request_to_speak, tree.secretaries[0], live_session.id)
    act(services.next_speaker, tree.organizer, live_session.id)
    timeutil.set_clock_offset(timedelta(seconds=160))
    snap = services.snapshot(db.session.get(DialogueSession, live_session.id))
    assert snap["current"]["warning"] is True


def test_stale_version_changes_nothing(tree, live_session):
    act(services.request_to_speak, tree.secretaries[0], live_session.id)
    v = _version(live_session.id)
    with pytest.raises(Conflict) as info:
        act(services.next_speaker, tree.organizer, live_session.id, version=v - 1)
    assert info.value.code == "stale_version"
    assert _version(live_session.id) == v
    assert db.session.query(Speaker).filter_by(status="speaking").count() == 0


def test_withdraw_move_readd_and_new_speakers_first(tree, live_session):
    a, b, c, d = tree.secretaries
    org = tree.organizer
    entries = [act(services.request_to_speak, p, live_session.id) for p in (a, b, c)]
    with pytest.raises(Forbidden):
        act(services.withdraw, b, entries[0].id)
    act(services.withdraw, a, entries[0].id)
    act(services.move, org, entries[2].id, 1)
    order = lambda: [q["user_id"] for q in services.snapshot(db.session.get(DialogueSession, live_session.id))["queue"]]  # noqa: E731
    assert order() == [c.id, b.id]
    act(services.next_speaker, org, live_session.id)  # c speaks
    with pytest.raises(Conflict):
        act(services.readd_last, org, live_session.id)  # no turn has ended yet
    act(services.next_speaker, org, live_session.id)  # c is done, b speaks
    act(services.readd_last, org, live_session.id)  # c back at the top
    assert order() == [c.id]
    act(services.next_speaker, org, live_session.id)  # b is done, c speaks again
    act(services.request_to_speak, a, live_session.id)
    act(services.readd_last, org, live_session.id)  # b back at the top
    assert order() == [b.id, a.id]
    act(services.set_queue_options, org, live_session.id, new_speakers_first=True)
    assert order() == [a.id, b.id]  # a has not spoken yet
    act(services.request_to_speak, d, live_session.id)  # nor has d: before b
    assert order() == [a.id, d.id, b.id]
    snap = services.snapshot(db.session.get(DialogueSession, live_session.id))
    assert {q["user_id"]: q["times_spoken"] for q in snap["queue"]} == {a.id: 0, d.id: 0, b.id: 1}
    assert snap["current"]["user_id"] == c.id and snap["current"]["times_spoken"] == 1


def test_closed_list_refuses_requests_but_not_the_organizer(tree, live_session):
    act(services.set_queue_options, tree.organizer, live_session.id, queue_open=False)
    with pytest.raises(Conflict):
        act(services.request_to_speak, tree.secretaries[0], live_session.id)
    entry = act(services.request_to_speak, tree.organizer, live_session.id, user_id=tree.secretaries[0].id)
    assert entry.status == "waiting"


def test_turn_time_changes_per_turn_and_question_link(tree, live_session):
    q = make_question(live_session, tree.secretaries[0])
    entry = act(services.request_to_speak, tree.secretaries[0], live_session.id, question_id=q.id)
    act(services.update_turn, tree.organizer, entry.id, seconds_allowed=300)
    act(services.next_speaker, tree.organizer, live_session.id)
    snap = services.snapshot(db.session.get(DialogueSession, live_session.id))
    assert snap["current"]["seconds_allowed"] == 300
    assert snap["current_question"]["id"] == q.id
    other = make_question(live_session, tree.secretaries[1])
    with pytest.raises(Forbidden):
        act(services.request_to_speak, tree.secretaries[2], live_session.id, question_id=other.id)


def test_ending_the_session_finishes_the_turn(tree, live_session):
    from dialogue.sessions.services import change_status

    act(services.request_to_speak, tree.secretaries[0], live_session.id)
    act(services.next_speaker, tree.organizer, live_session.id)
    act(change_status, tree.organizer, db.session.get(DialogueSession, live_session.id), "ended")
    snap = services.snapshot(db.session.get(DialogueSession, live_session.id))
    assert snap["current"] is None and snap["turns_done"] == 1 and snap["status"] == "ended"


def test_requests_refused_when_not_live(tree):
    session = make_session(tree, status="open")
    with pytest.raises(Conflict):
        act(services.request_to_speak, tree.secretaries[0], session.id)


def test_held_state_is_handed_out_again_with_its_clock_worked_out_anew(tree, live_session, count_queries):
    act(services.request_to_speak, tree.secretaries[0], live_session.id)
    act(services.next_speaker, tree.organizer, live_session.id)  # builds and holds the new state after the commit
    session = db.session.get(DialogueSession, live_session.id)
    first = services.snapshot(session)
    timeutil.set_clock_offset(timedelta(seconds=40))
    with count_queries() as c:
        later = services.snapshot(session)
    assert c.count == 0  # a reconnect storm costs no build while the version stands
    assert later["version"] == first["version"]
    assert first["current"]["seconds_left"] - later["current"]["seconds_left"] in (40, 41)
    assert later["current"]["seconds_used"] >= 40 and later["server_time"] != first["server_time"]
    assert later["queue"] == first["queue"] and later["current"]["name"] == first["current"]["name"]


def test_held_state_is_rebuilt_after_a_change_or_after_a_while(tree, live_session, monkeypatch):
    session_id = live_session.id
    assert services.snapshot(db.session.get(DialogueSession, session_id))["queue"] == []
    # A change made elsewhere (another process) without this process's publish: the new version is seen.
    db.session.execute(
        DialogueSession.__table__.update()
        .where(DialogueSession.id == session_id)
        .values(live_version=DialogueSession.live_version + 1, title="Đổi ở nơi khác")
    )
    db.session.commit()
    db.session.expire_all()
    assert services.snapshot(db.session.get(DialogueSession, session_id))["title"] == "Đổi ở nơi khác"
    # A change without a new version (a person's name) shows once the held state is old enough.
    tree.secretaries[0].name = "Tên mới"
    act(services.request_to_speak, tree.secretaries[1], session_id)
    db.session.execute(
        Speaker.__table__.update().where(Speaker.session_id == session_id).values(user_id=tree.secretaries[0].id)
    )
    db.session.commit()
    session = db.session.get(DialogueSession, session_id)
    assert services.snapshot(session)["queue"][0]["name"] == tree.secretaries[1].name
    monkeypatch.setattr(services, "REUSE_SECONDS", 0.0)
    assert services.snapshot(session)["queue"][0]["name"] == "Tên mới"


def test_a_process_holds_only_the_states_it_could_still_hand_out(tree, live_session, monkeypatch):
    other = make_session(tree)
    services.snapshot(db.session.get(DialogueSession, live_session.id))
    clock = [services.time.monotonic()]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    clock[0] += services.REUSE_SECONDS  # the first session's state is now too old to be handed out
    services.snapshot(db.session.get(DialogueSession, other.id))
    assert set(services._held_states()) == {other.id}  # a year of sessions does not pile up in a worker


def test_agenda_changes_move_the_version_and_reach_the_screens(tree, live_session, monkeypatch):
    from dialogue.questions import services as questions

    sent = []
    monkeypatch.setattr(services.socketio, "emit", lambda event, data, **kw: sent.append((event, data, kw)))
    question = make_question(live_session, tree.secretaries[0], status="submitted")
    other = make_question(live_session, tree.secretaries[1], topic="Đường giao thông nông thôn", position=1)
    v = _version(live_session.id)
    act(questions.accept_question, tree.organizer, question)
    assert _version(live_session.id) == v + 1
    event, data, kw = sent[-1]
    assert event == "state" and services.room(live_session.id) in kw["to"] and data["version"] == v + 1
    assert [a["id"] for a in data["agenda"]] == [other.id, question.id]
    act(questions.set_position, tree.organizer, question, 1)
    assert [a["id"] for a in sent[-1][1]["agenda"]] == [question.id, other.id]
    assert _version(live_session.id) == v + 2
    act(questions.return_question, tree.organizer, question, "Xin nói rõ hơn")
    assert [a["id"] for a in sent[-1][1]["agenda"]] == [other.id]
    assert _version(live_session.id) == v + 3
