"""The live pages: console, phone, projector (secret link), check-in with search, QR codes, the personal link
that checks an invitee in; and bounded SQL for few and many speakers and invitees."""

from __future__ import annotations

import re

from dialogue.extensions import db
from dialogue.live import services
from dialogue.sessions.models import DialogueSession, Invitation
from dialogue.sessions.services import session_link
from tests.factories import act
from tests.live_fixtures import make_question, make_session


def test_session_page_links_to_the_live_pages(client, login_as, tree):
    session = make_session(tree)
    login_as(tree.organizer)
    html = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    for path in ("console", "phone", "checkin", "qr", "projector"):
        assert f"/sessions/{session.id}/{path}" in html
    login_as(tree.secretaries[0])
    html = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert f"/sessions/{session.id}/phone" in html and f"/sessions/{session.id}/console" not in html


def test_phone_page_ask_and_withdraw(client, login_as, tree, make_user):
    session = make_session(tree)
    me = tree.secretaries[0]
    q = make_question(session, me, topic="Câu hỏi của tôi")
    login_as(me)
    page = client.get(f"/sessions/{session.id}/phone")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Đăng ký phát biểu" in html and "Câu hỏi của tôi" in html
    assert "js/vendor/socket.io.min.js" in html and 'id="live-initial"' in html
    r = client.post(f"/sessions/{session.id}/speak", data={"question_id": q.id})
    assert r.status_code == 302
    entry = services.my_waiting(session.id, me.id)
    assert entry is not None and entry.question_id == q.id
    r = client.post(f"/speakers/{entry.id}/withdraw")
    assert r.status_code == 302 and services.my_waiting(session.id, me.id) is None
    login_as(make_user("secretary", name="Không được mời"))
    assert client.get(f"/sessions/{session.id}/phone").status_code == 403


def test_console_requires_role(client, login_as, tree):
    session = make_session(tree)
    login_as(tree.secretaries[0])
    assert client.get(f"/sessions/{session.id}/console").status_code == 403
    login_as(tree.host)
    html = client.get(f"/sessions/{session.id}/console").get_data(as_text=True)
    assert "Ghi ý kiến trả lời" in html and 'id="btn-next"' not in html  # the host answers; the clerk calls turns
    login_as(tree.organizer)
    html = client.get(f"/sessions/{session.id}/console").get_data(as_text=True)
    assert 'id="btn-next"' in html


def test_projector_secret_link_and_reset(client, login_as, tree):
    session = make_session(tree)
    login_as(tree.organizer)
    r = client.get(f"/sessions/{session.id}/projector")
    assert r.status_code == 302
    url = r.headers["Location"]
    secret = url.rsplit("/", 1)[1]
    anonymous = client.application.test_client()
    page = anonymous.get(url)
    assert page.status_code == 200 and session.title in page.get_data(as_text=True)
    assert "Đăng xuất" not in page.get_data(as_text=True)
    client.post(f"/sessions/{session.id}/projector/reset")
    assert anonymous.get(url).status_code == 404
    new_secret = db.session.get(DialogueSession, session.id).projector_secret
    assert new_secret and new_secret != secret
    assert anonymous.get(f"/projector/{new_secret}").status_code == 200
    login_as(tree.secretaries[0])
    assert client.get(f"/sessions/{session.id}/projector").status_code == 403


def test_checkin_page_search_and_one_tap(client, login_as, tree):
    session = make_session(tree)
    login_as(tree.organizer)
    html = client.get(f"/sessions/{session.id}/checkin?q=hoa an").get_data(as_text=True)
    names = re.findall(r'<span class="who">([^<]+)</span>', html)
    assert len(names) == 2 and all("Hòa An" in n for n in names)
    target = tree.secretaries[0]
    r = client.post(f"/sessions/{session.id}/checkin", data={"user_id": target.id, "q": "hoa an"})
    assert r.status_code == 302
    inv = db.session.query(Invitation).filter_by(session_id=session.id, user_id=target.id).one()
    assert inv.checked_in_at is not None and inv.checked_in_by_id == tree.organizer.id
    client.post(f"/sessions/{session.id}/checkin", data={"user_id": target.id, "undo": "1"})
    db.session.expire_all()
    assert db.session.get(Invitation, inv.id).checked_in_at is None
    r = client.post(f"/sessions/{session.id}/checkin", data={"user_id": tree.host.id})
    assert r.status_code == 404 and "không có trong danh sách mời" in r.get_data(as_text=True)


def test_qr_page_has_an_svg_per_invitee(client, login_as, tree):
    session = make_session(tree)
    login_as(tree.organizer)
    html = client.get(f"/sessions/{session.id}/qr").get_data(as_text=True)
    assert html.count("<svg") == 4 and "<?xml" not in html
    assert tree.secretaries[0].name in html


def test_personal_link_checks_in_while_live(client, tree):
    session = make_session(tree, status="closed")
    person = tree.secretaries[1]
    link = session_link(person, session)
    path = link.split("localhost", 1)[1]
    r = client.get(path, follow_redirects=True)
    assert r.status_code == 200
    inv = db.session.query(Invitation).filter_by(session_id=session.id, user_id=person.id).one()
    assert inv.checked_in_at is None  # before the session: no check-in
    from dialogue.sessions.services import change_status

    act(change_status, tree.organizer, db.session.get(DialogueSession, session.id), "live")
    r = client.get(path)
    here = r.headers["Location"]  # /sessions/N/here
    r = client.get(here)  # a GET shows the button: a link from anywhere marks nobody present
    assert r.status_code == 200 and f'action="/sessions/{session.id}/here"' in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Invitation, inv.id).checked_in_at is None
    r = client.post(here)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/sessions/{session.id}/phone")
    db.session.expire_all()
    assert db.session.get(Invitation, inv.id).checked_in_at is not None
    r = client.get(here)  # checked in: straight to the phone page
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/sessions/{session.id}/phone")


def _grow(tree, make_user, make_unit, session, n):
    """``n`` more invitees (each in a cell of their own) who all ask to speak."""
    from dialogue.sessions.models import Invitation as Inv

    commune = tree.communes[0]
    for i in range(n):
        cell = make_unit(f"Chi bộ {n}-{i}", "cell", commune)
        user = make_user("secretary", name=f"Bí thư {n}-{i}", unit=cell)
        db.session.add(Inv(session_id=session.id, user_id=user.id, unit_id=cell.id, rsvp="accepted"))
        db.session.commit()
        act(services.request_to_speak, tree.organizer, session.id, user_id=user.id)


def test_query_counts_are_bounded(client, login_as, tree, make_user, make_unit, count_queries):
    counts = {}
    for n in (10, 200):
        session = make_session(tree)
        make_question(session, tree.secretaries[0])
        _grow(tree, make_user, make_unit, session, n)
        act(services.next_speaker, tree.organizer, session.id)
        for _ in range(3):  # some finished turns too
            act(services.next_speaker, tree.organizer, session.id)
        db.session.expire_all()
        result = {}
        live_session = db.session.get(DialogueSession, session.id)
        services.forget_states()
        with count_queries() as c:
            services.snapshot(live_session)
        result["snapshot"] = c.count
        with count_queries() as c:
            services.snapshot(live_session)
        result["snapshot_held"] = c.count
        with count_queries() as c:
            services.publish_state(session.id)
        result["publish"] = c.count
        login_as(tree.organizer)
        for page in ("console", "checkin", "phone"):
            with count_queries() as c:
                assert client.get(f"/sessions/{session.id}/{page}").status_code == 200
            result[page] = c.count
        with count_queries() as c:
            assert client.get(f"/api/v1/sessions/{session.id}/live").status_code == 200
        result["api_live"] = c.count
        with count_queries() as c:
            assert client.get(f"/api/v1/sessions/{session.id}/speakers?per_page=500").status_code == 200
        result["api_speakers"] = c.count
        counts[n] = result
    assert counts[10] == counts[200], counts
    assert counts[200]["snapshot"] <= 4 and counts[200]["publish"] <= 4, counts
    assert counts[200]["snapshot_held"] == 0, counts
