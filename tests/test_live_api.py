"""The live session over the JSON API (API.md): check-ins, the queue, next with a version, the snapshot."""

from __future__ import annotations

from dialogue.extensions import db
from dialogue.live import services
from dialogue.sessions.models import DialogueSession
from tests.factories import act
from tests.live_fixtures import make_question, make_session


def test_checkins_api(client, tree, token_for):
    session = make_session(tree)
    org = token_for(tree.organizer)
    s1 = tree.secretaries[0]
    r = client.post(f"/api/v1/sessions/{session.id}/checkins", json={"user_id": s1.id}, headers=org)
    assert r.status_code == 200 and r.json["present"] is True and r.json["user_id"] == s1.id
    again = client.post(f"/api/v1/sessions/{session.id}/checkins", json={"user_id": s1.id}, headers=org)
    assert again.status_code == 200 and again.json["checked_in_at"] == r.json["checked_in_at"]
    listing = client.get(f"/api/v1/sessions/{session.id}/checkins?present=true", headers=org)
    assert listing.json["total"] == 1 and listing.json["items"][0]["user_id"] == s1.id
    folded = client.get(f"/api/v1/sessions/{session.id}/checkins?q=TAN DIEN", headers=org)
    assert folded.json["total"] == 2  # "Tân Điền" typed without marks: the two cells of that name
    bad = client.post(f"/api/v1/sessions/{session.id}/checkins", json={"user_id": "x"}, headers=org)
    assert bad.status_code == 422 and "user_id" in bad.json["error"]["fields"]
    outsider = client.post(f"/api/v1/sessions/{session.id}/checkins", json={"user_id": tree.host.id}, headers=org)
    assert outsider.status_code == 404
    secretary = token_for(tree.secretaries[1])
    refused = client.post(
        f"/api/v1/sessions/{session.id}/checkins", json={"user_id": tree.secretaries[2].id}, headers=secretary
    )
    assert refused.status_code == 403
    assert client.get(f"/api/v1/sessions/{session.id}/checkins", headers=secretary).status_code == 403
    live = client.get(f"/api/v1/sessions/{session.id}/live", headers=org).json
    assert live["attendance"] == {**live["attendance"], "invited": 4, "present": 1}


def test_speakers_api_and_next_with_version(client, tree, token_for):
    session = make_session(tree)
    org = token_for(tree.organizer)
    s1, s2 = tree.secretaries[:2]
    q = make_question(session, s1)
    mine = client.post(f"/api/v1/sessions/{session.id}/speakers", json={"question_id": q.id}, headers=token_for(s1))
    assert mine.status_code == 201 and mine.json["status"] == "waiting" and mine.json["position"] == 1
    same = client.post(f"/api/v1/sessions/{session.id}/speakers", json={}, headers=token_for(s1))
    assert same.json["id"] == mine.json["id"]
    added = client.post(f"/api/v1/sessions/{session.id}/speakers", json={"user_id": s2.id}, headers=org)
    assert added.status_code == 201 and added.json["position"] == 2
    queue = client.get(f"/api/v1/sessions/{session.id}/speakers?status=waiting", headers=token_for(s2))
    assert [i["user_id"] for i in queue.json["items"]] == [s1.id, s2.id]
    live = client.get(f"/api/v1/sessions/{session.id}/live", headers=token_for(s2)).json
    assert set(live) >= {"session_id", "status", "version", "current", "queue", "turns_done", "attendance"}
    version = live["version"]
    stale = client.post(f"/api/v1/sessions/{session.id}/speakers/next", json={"version": version - 1}, headers=org)
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_version"
    assert client.get(f"/api/v1/sessions/{session.id}/live", headers=org).json["version"] == version
    refused = client.post(f"/api/v1/sessions/{session.id}/speakers/next", json={}, headers=token_for(s1))
    assert refused.status_code == 403
    turn = client.post(f"/api/v1/sessions/{session.id}/speakers/next", json={"version": version}, headers=org)
    assert turn.status_code == 200 and turn.json["user_id"] == s1.id and turn.json["status"] == "speaking"
    assert turn.json["version"] == version + 1
    live = client.get(f"/api/v1/sessions/{session.id}/live", headers=org).json
    cur = live["current"]
    assert cur["speaker_id"] == turn.json["id"] and cur["user_id"] == s1.id and cur["question_id"] == q.id
    assert cur["name"] == s1.name and cur["unit"] == tree.cells[0].name and cur["seconds_allowed"] == 180
    assert 178 <= cur["seconds_left"] <= 180 and cur["started_at"].endswith("+07:00")
    sid = turn.json["id"]
    paused = client.patch(f"/api/v1/speakers/{sid}", json={"paused": True}, headers=org)
    assert paused.json["paused"] is True
    longer = client.patch(f"/api/v1/speakers/{sid}", json={"paused": False, "seconds_allowed": 240}, headers=org)
    assert longer.json["paused"] is False and longer.json["seconds_allowed"] == 240
    w = client.patch(f"/api/v1/speakers/{added.json['id']}", json={"status": "withdrawn"}, headers=token_for(s2))
    assert w.status_code == 200 and w.json["status"] == "withdrawn"
    finished = client.patch(f"/api/v1/speakers/{sid}", json={"status": "finished"}, headers=org)
    assert finished.json["status"] == "finished"
    empty = client.post(f"/api/v1/sessions/{session.id}/speakers/next", json={}, headers=org)
    assert empty.status_code == 409 and empty.json["error"]["code"] == "queue_empty"
    assert client.get(f"/api/v1/sessions/{session.id}/live", headers=org).json["turns_done"] == 1
    not_mine = client.patch(f"/api/v1/speakers/{sid}", json={"status": "withdrawn"}, headers=token_for(s2))
    assert not_mine.status_code == 403
    bad = client.patch(f"/api/v1/speakers/{sid}", json={"seconds_allowed": 1}, headers=org)
    assert bad.status_code == 422


def test_reorder_and_options_api(client, tree, token_for):
    session = make_session(tree)
    org = token_for(tree.organizer)
    ids = [
        client.post(f"/api/v1/sessions/{session.id}/speakers", json={"user_id": s.id}, headers=org).json["id"]
        for s in tree.secretaries[:3]
    ]
    moved = client.patch(f"/api/v1/speakers/{ids[2]}", json={"position": 1}, headers=org)
    assert moved.json["position"] == 1
    opts = client.patch(f"/api/v1/sessions/{session.id}/live/options", json={"queue_open": False}, headers=org)
    assert opts.status_code == 200 and opts.json["queue_open"] is False
    closed = client.post(f"/api/v1/sessions/{session.id}/speakers", json={}, headers=token_for(tree.secretaries[3]))
    assert closed.status_code == 409
    live = client.get(f"/api/v1/sessions/{session.id}/live", headers=org).json
    assert [q["speaker_id"] for q in live["queue"]] == [ids[2], ids[0], ids[1]]
    client.post(f"/api/v1/sessions/{session.id}/speakers/next", json={}, headers=org)
    listing = client.get(f"/api/v1/sessions/{session.id}/speakers", headers=org).json
    assert [(i["id"], i["status"], i["position"]) for i in listing["items"]] == [
        (ids[2], "speaking", None),
        (ids[0], "waiting", 1),
        (ids[1], "waiting", 2),
    ]


def test_live_snapshot_access(client, tree, token_for, make_user):
    session = make_session(tree)
    outsider = make_user("secretary", name="Người ngoài")
    assert client.get(f"/api/v1/sessions/{session.id}/live").status_code == 401
    assert client.get(f"/api/v1/sessions/{session.id}/live", headers=token_for(outsider)).status_code == 403
    secret = act(services.ensure_projector_secret, db.session.get(DialogueSession, session.id))
    by_secret = client.get(f"/api/v1/sessions/{session.id}/live?projector={secret}")
    assert by_secret.status_code == 200 and by_secret.json["session_id"] == session.id
    assert client.get(f"/api/v1/sessions/{session.id}/live?projector=wrong-secret-0123456789").status_code == 404
    other = make_session(tree)
    assert client.get(f"/api/v1/sessions/{other.id}/live?projector={secret}").status_code == 403
