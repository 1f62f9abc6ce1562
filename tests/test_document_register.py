"""Publishing (API.md "Documents that can be signed"): a version, a number from the register of (issuing unit, type,
term) taken once, a typed number when it is free, the signing block (T/M, K/T, T/L) and the recipients; the issuing
body is the session's host unit, its superior from the tree. Two publishes at once never share a number (threads on
PostgreSQL; the same outcome in sequence on SQLite, which has no concurrent writers)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from dialogue.accounts.models import User
from dialogue.core.errors import Conflict
from dialogue.core.text import search_blob
from dialogue.core.timeutil import now
from dialogue.demo.seed import demo_user
from dialogue.extensions import db
from dialogue.reports import services
from dialogue.reports.models import DocumentNumber, PublishedDocument
from dialogue.sessions.models import DialogueSession, SessionHost
from dialogue.units.models import Unit
from tests.reports_fixtures import demo_session, docx_text  # noqa: F401

PUBLISH = "/api/v1/sessions/{sid}/documents/{kind}/publish"


def _ended_session(host_unit: Unit, host: User, *, title: str = "Buổi đối thoại", term: str = "2020–2025"):
    start = now() - timedelta(days=3)
    session = DialogueSession(
        title=title,
        topic="Công tác kiểm tra, giám sát",
        term=term,
        venue="Hội trường",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        questions_close_at=start - timedelta(days=1),
        turn_seconds=300,
        host_unit_id=host_unit.id,
        status="ended",
        search_text=search_blob(title),
    )
    db.session.add(session)
    db.session.flush()
    db.session.add(SessionHost(session_id=session.id, user_id=host.id))
    db.session.commit()
    return session


def _unit(name: str) -> Unit:
    return db.session.scalar(select(Unit).where(Unit.name == name))


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_numbers_run_per_unit_type_and_term(demo_session, client, token_for):  # noqa: F811
    host = demo_user("bithu@demo.vn")
    headers = token_for(host)
    sid = demo_session.id

    def publish(kind, session_id=sid, **body):
        return client.post(
            PUBLISH.format(sid=session_id, kind=kind), json={"signer_id": host.id, **body}, headers=headers
        )

    first = publish("conclusion")
    assert first.status_code == 201
    body = first.get_json()
    assert (body["version"], body["number"], body["symbol"]) == (1, 1, "01-TB/HU")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT.*\+07:00", body["published_at"])
    assert publish("conclusion").get_json()["symbol"] == "02-TB/HU"  # a new version takes the next number
    assert publish("minutes").get_json()["symbol"] == "01-BB/HU"  # each type has its own run
    assert publish("conclusion", number=7).get_json()["symbol"] == "07-TB/HU"  # a free typed number
    assert publish("conclusion").get_json()["symbol"] == "08-TB/HU"
    assert publish("conclusion", number=2).get_json()["symbol"] == "02-TB/HU"  # its own number again

    other = _ended_session(_unit("Huyện ủy Châu Thành"), host, title="Buổi thứ hai")
    before = (_count(DocumentNumber), _count(PublishedDocument))
    taken = publish("conclusion", session_id=other.id, number=1)
    assert taken.status_code == 409
    error = taken.get_json()["error"]
    assert error["code"] == "number_taken" and "01-TB/HU" in error["message"] and error["fields"]["number"]
    assert (_count(DocumentNumber), _count(PublishedDocument)) == before  # nothing was taken
    assert publish("conclusion", session_id=other.id).get_json()["symbol"] == "09-TB/HU"

    new_term = _ended_session(_unit("Huyện ủy Châu Thành"), host, title="Nhiệm kỳ mới", term="2025 - 2030")
    assert publish("conclusion", session_id=new_term.id).get_json()["symbol"] == "01-TB/HU"  # from 01 each term
    terms = set(db.session.scalars(select(DocumentNumber.term)))
    assert terms == {"2020–2025", "2025–2030"}
    text = docx_text(client.get(f"/api/v1/sessions/{sid}/documents/conclusion.docx", headers=headers).data)
    assert "Số 02-TB/HU" in text  # the latest version prints its number


def test_the_register_is_unique_in_the_database(demo_session):  # noqa: F811
    unit = _unit("Huyện ủy Châu Thành")
    row = {"issuing_unit_id": unit.id, "doc_type": "TB", "term": "2020–2025", "number": 3, "symbol": "03-TB/HU"}
    db.session.add(DocumentNumber(**row, kind="conclusion", session_id=demo_session.id))
    db.session.commit()
    db.session.add(DocumentNumber(**row, kind="conclusion", session_id=demo_session.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_signing_block_and_recipients_chosen_at_publish(demo_session, client, token_for):  # noqa: F811
    host, clerk = demo_user("bithu@demo.vn"), demo_user("vanphong@demo.vn")
    headers = token_for(clerk)
    url = PUBLISH.format(sid=demo_session.id, kind="conclusion")
    answer = client.post(
        url,
        json={
            "signer_id": host.id,
            "signing": "kt",
            "recipients": ["- Thường trực Tỉnh ủy (b/c);", "Lưu VT", "Các xã"],
        },
        headers=headers,
    )
    assert answer.status_code == 201
    doc = db.session.scalar(select(PublishedDocument))
    assert doc.content["recipients"] == ["Thường trực Tỉnh ủy (b/c)", "Các xã", "Lưu VT"]  # the archive goes last
    text = docx_text(doc.docx)
    assert "T/M BAN THƯỜNG VỤ\nK/T BÍ THƯ\nPHÓ BÍ THƯ" in text and "Lê Hoàng Phong" in text
    assert "- Thường trực Tỉnh ủy (b/c),\n- Các xã,\n- Lưu VT." in text

    answer = client.post(url, json={"signer_id": clerk.id, "signing": "tl", "recipients": ["Các xã"]}, headers=headers)
    assert answer.status_code == 201
    text = docx_text(db.session.scalar(select(PublishedDocument).where(PublishedDocument.version == 2)).docx)
    assert "T/L BAN THƯỜNG VỤ\nCHÁNH VĂN PHÒNG" in text and "Phan Thị Thu Hà" in text
    assert "- Các xã,\n- Lưu Văn phòng Huyện ủy." in text  # added when missing

    answer = client.post(
        url, json={"signer_id": host.id, "signing": "tm", "collective": "huyện ủy", "title": "bí thư"}, headers=headers
    )
    text = docx_text(db.session.scalar(select(PublishedDocument).where(PublishedDocument.version == 3)).docx)
    assert "T/M HUYỆN ỦY\nBÍ THƯ" in text


def test_refusals_change_nothing(demo_session, client, token_for):  # noqa: F811
    host, clerk = demo_user("bithu@demo.vn"), demo_user("vanphong@demo.vn")
    secretary = db.session.scalar(select(User).where(User.email == "bithuchibo@demo.vn"))
    url = PUBLISH.format(sid=demo_session.id, kind="conclusion")

    def refused(status, body, who=clerk, path=url):
        answer = client.post(path, json=body, headers=token_for(who))
        assert answer.status_code == status, answer.get_json()
        error = answer.get_json()["error"]
        assert error["message"]
        return error

    error = refused(422, {"signer_id": secretary.id})  # a cell secretary cannot sign for the committee
    assert "signer_id" in error["fields"]
    assert "signer_id" in refused(422, {})["fields"]
    assert "signing" in refused(422, {"signer_id": host.id, "signing": "xx"})["fields"]
    assert "number" in refused(422, {"signer_id": host.id, "number": 0})["fields"]
    assert "signer_id" in refused(422, {"signer_id": clerk.id}, path=url.replace("conclusion", "minutes"))["fields"]
    refused(403, {"signer_id": host.id}, who=demo_user("ubkt@demo.vn"))  # the secretariat reads, does not publish
    refused(403, {"signer_id": host.id}, who=secretary)
    refused(404, {"signer_id": host.id}, path=url.replace("conclusion", "nothing"))
    refused(404, {"signer_id": host.id}, path=PUBLISH.format(sid=999999, kind="conclusion"))
    demo_session.status = "live"
    db.session.commit()
    assert refused(409, {"signer_id": host.id})["message"] == "Chỉ ban hành văn bản sau khi buổi đối thoại đã kết thúc."
    assert _count(PublishedDocument) == 0 and _count(DocumentNumber) == 0


def test_the_same_idempotency_key_publishes_once(demo_session, client, token_for):  # noqa: F811
    host = demo_user("bithu@demo.vn")
    headers = {**token_for(host), "Idempotency-Key": "publish-1"}
    url = PUBLISH.format(sid=demo_session.id, kind="minutes")
    first = client.post(url, json={"signer_id": host.id}, headers=headers)
    again = client.post(url, json={"signer_id": host.id}, headers=headers)
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert _count(PublishedDocument) == 1 and _count(DocumentNumber) == 1


def _run_together(app, n, work):
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        with app.app_context():
            try:
                barrier.wait(timeout=20)
                results[i] = work(i)
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_two_publishes_at_once_never_share_a_number(app, demo_session, db_kind):  # noqa: F811
    host = demo_user("bithu@demo.vn")
    district = _unit("Huyện ủy Châu Thành")
    session_ids = [_ended_session(district, host, title=f"Buổi {i}").id for i in range(6)]
    host_id = host.id

    def publish(i, number=None):
        actor = db.session.get(User, host_id)
        session = db.session.get(DialogueSession, session_ids[i])
        doc = services.publish(actor, session, "conclusion", signer_id=host_id, number=number)
        return doc.content["number"]["symbol"]

    def sequential(work, n):
        out = []
        for i in range(n):
            try:
                out.append(work(i))
                db.session.commit()
            except Conflict as exc:
                db.session.rollback()
                out.append(exc)
        return out

    results = _run_together(app, 6, publish) if db_kind == "postgres" else sequential(publish, 6)
    assert sorted(results) == [f"0{n}-TB/HU" for n in range(1, 7)], results

    def typed(i):
        return publish(i, number=40)

    results = _run_together(app, 2, typed) if db_kind == "postgres" else sequential(typed, 2)
    won = [r for r in results if isinstance(r, str)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert won == ["40-TB/HU"] and len(lost) == 1 and lost[0].code == "number_taken", results
    db.session.expire_all()
    numbers = list(db.session.scalars(select(DocumentNumber.number).order_by(DocumentNumber.number)))
    assert numbers == [1, 2, 3, 4, 5, 6, 40]
    assert _count(PublishedDocument) == 7


def test_documents_are_issued_in_the_host_unit_s_name(app, demo_session, client, token_for):  # noqa: F811
    """A commune's session is the commune's document: its name, the district above it, its own register."""
    commune = _unit("Đảng ủy xã Bình An")
    host = demo_user("bithu@demo.vn")
    session = _ended_session(commune, host, title="Buổi tiếp xúc, đối thoại của Đảng ủy xã Bình An")
    headers = token_for(host)
    answer = client.post(
        PUBLISH.format(sid=session.id, kind="conclusion"), json={"signer_id": host.id}, headers=headers
    )
    assert answer.get_json()["symbol"] == "01-TB/ĐU"
    district_answer = client.post(
        PUBLISH.format(sid=demo_session.id, kind="conclusion"), json={"signer_id": host.id}, headers=headers
    )
    assert district_answer.get_json()["symbol"] == "01-TB/HU"  # each issuing unit has its own register
    text = docx_text(client.get(f"/api/v1/sessions/{session.id}/documents/conclusion.docx", headers=headers).data)
    assert "ĐẢNG BỘ HUYỆN CHÂU THÀNH" in text and "ĐẢNG ỦY XÃ BÌNH AN" in text
    assert re.search(r"Bình An, ngày \d\d tháng \d+ năm \d{4}", text)
    assert "- Huyện ủy Châu Thành (để báo cáo),\n- Lưu Văn phòng Đảng ủy." in text

    # An admin sets what a name does not say: the abbreviation and the superior body.
    from tests.conftest import login

    admin = app.test_client()
    login(admin, demo_user("admin@demo.vn"))
    saved = admin.post(
        "/reports/profile/issuers",
        data={"unit_id": commune.id, "symbol": "đu ba", "superior_body": "Đảng bộ huyện Châu Thành, tỉnh Kiên Giang"},
    )
    assert saved.status_code == 302
    bad = admin.post("/reports/profile/issuers", data={"unit_id": commune.id, "symbol": "Đ/U"})
    assert bad.status_code == 422 and "không có “/” hay “-”" in bad.get_data(as_text=True)
    answer = client.post(
        PUBLISH.format(sid=session.id, kind="conclusion"), json={"signer_id": host.id}, headers=headers
    )
    assert answer.get_json()["symbol"] == "02-TB/ĐUBA"
    text = docx_text(client.get(f"/api/v1/sessions/{session.id}/documents/conclusion.docx", headers=headers).data)
    assert "ĐẢNG BỘ HUYỆN CHÂU THÀNH, TỈNH KIÊN GIANG" in text


def test_publishing_from_the_page(demo_session, login_as):  # noqa: F811
    host = demo_user("bithu@demo.vn")
    client = login_as(demo_user("vanphong@demo.vn"))
    url = f"/reports/sessions/{demo_session.id}/documents/conclusion"
    page = client.get(url).get_data(as_text=True)
    assert 'name="signer_id"' in page and 'name="signing"' in page and 'name="recipients"' in page
    assert "DỰ THẢO" in page and "Số \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0-TB/HU" in page
    revision = re.search(r'name="revision" type="hidden" value="(\d+)"', page).group(1)
    key = re.search(r'name="idempotency_key" type="hidden" value="(\w+)"', page).group(1)
    form = {
        "revision": revision,
        "idempotency_key": key,
        "signer_id": host.id,
        "signing": "tm",
        "collective": "",
        "title": "",
        "recipients": "Thường trực Tỉnh ủy (b/c)\nCác đảng ủy xã, thị trấn",
        "number": "",
    }
    answer = client.post(f"{url}/publish", data=form)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("?version=1")
    assert client.post(f"{url}/publish", data=form).status_code == 302  # a double click: the same answer
    assert _count(PublishedDocument) == 1
    shown = client.get(f"{url}?version=1").get_data(as_text=True)
    assert "Số 01-TB/HU" in shown and "DỰ THẢO" not in shown.split('<article class="doc"')[1]
    taken = client.post(f"{url}/publish", data={**form, "idempotency_key": "another", "number": "1", "title": "x"})
    # Its own number may be reused; someone else's may not (below), and what was typed stays in the form.
    assert taken.status_code == 302
    other = _ended_session(_unit("Huyện ủy Châu Thành"), host, title="Buổi khác")
    other_url = f"/reports/sessions/{other.id}/documents/conclusion"
    refused = client.post(
        f"{other_url}/publish", data={**form, "revision": "0", "idempotency_key": "k3", "number": "1"}
    )
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "đã được dùng cho văn bản khác" in html and "Các đảng ủy xã, thị trấn" in html
    assert _count(PublishedDocument, PublishedDocument.session_id == other.id) == 0
