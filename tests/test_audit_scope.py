"""Out of scope is 404 in the audit log too: every entry carries the unit its object belongs to, and an admin reads
only the entries of their part of the tree, or those of people of their part of the tree."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from dialogue.accounts import services as accounts
from dialogue.audit import services
from dialogue.audit.models import AuditEntry
from dialogue.audit.services import record
from dialogue.calendar.services import add_exception
from dialogue.core.permissions import can
from dialogue.extensions import db
from dialogue.units import services as units
from tests.factories import act, make_commitment, make_question, model_session


@pytest.fixture
def commune_admin(tree, make_user):
    return make_user("admin", name="Quản trị xã Bình An", unit=tree.communes[0], password="mat-khau-xa-1")


def tbody(page: str) -> str:
    return page.split("<tbody>")[1].split("</tbody>")[0]


def listed(rows: str) -> set[int]:
    """The ids of the entries a page lists (each row links to its entry)."""
    return {int(i) for i in re.findall(r'href="/admin/audit/(\d+)"', rows)}


def _entry(action: str) -> AuditEntry:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()[-1]


def test_each_entry_takes_the_unit_of_its_object(tree, make_user):
    unit = act(units.create_unit, tree.admin, name="Chi bộ ấp Mới", kind="cell", parent_id=tree.communes[1].id)
    assert _entry("unit.create").unit_id == unit.id
    person = make_user("secretary", name="Bí thư mới", unit=tree.cells[2])
    assert _entry("user.create").unit_id == tree.cells[2].id
    act(accounts.update_user, tree.admin, person, unit_id=tree.cells[3].id)
    assert _entry("user.update").unit_id == tree.cells[3].id  # where the account is now
    act(accounts.create_api_token, tree.admin, tree.unit_account, "Máy tính xã")
    assert _entry("token.create").unit_id == tree.communes[0].id  # its owner's unit
    act(add_exception, tree.admin, date(2026, 9, 3), "day_off", "Nghỉ bù Quốc khánh")
    assert _entry("calendar.add").unit_id is None  # the whole installation's
    # the caller may say it; an object without a unit says nothing
    session = model_session(tree.communes[0], status="open")
    assert record(tree.admin, "session.update", session, unit_id=tree.communes[0].id).unit_id == tree.communes[0].id
    assert record(tree.admin, "members.import", None, object_type="import", after={"file": "a.xlsx"}).unit_id is None
    explicit_none = record(tree.admin, "unit.update", tree.cells[0], unit_id=None)
    assert explicit_none.unit_id is None


def _entries_around(tree) -> dict[str, AuditEntry]:
    """An entry in each place: the commune's own, the district's, the other commune's, one by a person of the
    commune about something of no unit, and one by the district's admin about nothing of the commune."""
    act(units.rename_unit, tree.admin, tree.cells[0], "Chi bộ ấp Hòa An Một")  # commune A's cell
    act(units.rename_unit, tree.admin, tree.cells[2], "Chi bộ ấp Hòa An Hai")  # commune B's cell
    act(units.rename_unit, tree.admin, tree.district, "Huyện ủy Châu Thành Mới")  # the district
    entries = {}
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "unit.update").order_by(AuditEntry.id))
    entries["inside"], entries["other_commune"], entries["district"] = rows.all()
    session = model_session(tree.district, status="open", title="Đối thoại của huyện")
    question = make_question(session, tree.secretaries[0], status="submitted")
    entries["by_commune_person"] = record(tree.secretaries[0], "question.support", question, unit_id=None)
    entries["district_session"] = record(
        tree.organizer, "session.status", session, unit_id=tree.district.id, after={"status": "open"}
    )
    commitment = make_commitment(tree.communes[1], session=session)
    entries["other_commitment"] = record(tree.host, "commitment.verify", commitment, unit_id=tree.communes[1].id)
    db.session.commit()
    return entries


def test_a_commune_s_admin_reads_only_the_commune_s_entries(client, tree, login_as, commune_admin):
    e = _entries_around(tree)
    login_as(commune_admin)
    body = client.get("/admin/audit/").get_data(as_text=True)
    rows = tbody(body)
    assert "Chi bộ ấp Hòa An Một" in rows  # its cell, renamed by the district's admin
    assert "Đồng tình với ý kiến" in rows  # what one of its people did
    assert listed(rows) >= {e["inside"].id, e["by_commune_person"].id}
    outside = {e[n].id for n in ("other_commune", "district", "district_session", "other_commitment")}
    assert not listed(rows) & outside
    assert "Chi bộ ấp Hòa An Hai" not in rows
    assert "Xác nhận kết quả nhiệm vụ" not in rows and "Chuyển trạng thái buổi đối thoại" not in rows
    # the action filter lists only what the admin may read
    assert 'value="question.support"' in body and 'value="commitment.verify"' not in body
    assert 'value="session.status"' not in body
    # direct links: inside 200, outside 404 as if they did not exist
    for name in ("inside", "by_commune_person"):
        assert client.get(f"/admin/audit/{e[name].id}").status_code == 200, name
    for name in ("other_commune", "district", "district_session", "other_commitment"):
        response = client.get(f"/admin/audit/{e[name].id}")
        assert response.status_code == 404, name
        assert "Không tìm thấy mục nhật ký này." in response.get_data(as_text=True)
    # a filter on an object outside finds nothing either
    outside = client.get(f"/admin/audit/?object_type=units&object_id={tree.cells[2].id}").get_data(as_text=True)
    assert listed(tbody(outside)) == set()


def test_the_other_commune_s_admin_does_not_read_the_first_one_s(client, tree, login_as, make_user):
    e = _entries_around(tree)
    other = make_user("admin", name="Quản trị xã Giục Tượng", unit=tree.communes[1])
    login_as(other)
    rows = tbody(client.get("/admin/audit/").get_data(as_text=True))
    assert "Chi bộ ấp Hòa An Hai" in rows and "Xác nhận kết quả nhiệm vụ" in rows
    assert "Chi bộ ấp Hòa An Một" not in rows and "Đồng tình với ý kiến" not in rows
    assert {e["other_commune"].id, e["other_commitment"].id} <= listed(rows)
    assert not listed(rows) & {e["inside"].id, e["by_commune_person"].id, e["district"].id}
    assert client.get(f"/admin/audit/{e['inside'].id}").status_code == 404
    assert client.get(f"/admin/audit/{e['other_commitment'].id}").status_code == 200


def test_the_district_s_admin_reads_everything(client, tree, login_as):
    e = _entries_around(tree)
    login_as(tree.admin)
    rows = tbody(client.get("/admin/audit/?per_page=200").get_data(as_text=True))
    assert {entry.id for entry in e.values()} <= listed(rows)
    for words in ("Chi bộ ấp Hòa An Một", "Chi bộ ấp Hòa An Hai", "Huyện ủy Châu Thành Mới", "Đồng tình với ý kiến"):
        assert words in rows
    for entry in e.values():
        assert client.get(f"/admin/audit/{entry.id}").status_code == 200


def test_the_rule_and_the_list_agree(tree, commune_admin):
    e = _entries_around(tree)
    listed = {entry.id for entry in services.search(commune_admin, per_page=200)[0]}
    for entry in db.session.scalars(select(AuditEntry)):
        assert (entry.id in listed) == can(commune_admin, "audit.see", entry), entry.action
    assert e["inside"].id in listed and e["district"].id not in listed
    assert not can(tree.organizer, "audit.see", e["inside"])  # only admins read the log
    assert services.search(tree.organizer, per_page=200)[0] == []


def test_only_admins_open_the_log(client, tree, login_as):
    e = _entries_around(tree)
    login_as(tree.organizer)
    assert client.get("/admin/audit/").status_code == 403
    assert client.get(f"/admin/audit/{e['inside'].id}").status_code == 403


def test_a_scoped_page_costs_the_same_for_10_entries_or_200(client, tree, login_as, count_queries, commune_admin):
    from tests.test_audit_display import _count, _entries

    _entries(tree, 12, 0)
    login_as(commune_admin)
    small = _count(client, count_queries)
    _entries(tree, 188, 12)
    large = _count(client, count_queries)
    rows = tbody(client.get("/admin/audit/?per_page=200").get_data(as_text=True))
    assert "Chi bộ số 198" in rows and "Chi bộ số 199" not in rows  # even: commune A; odd: commune B
    print("scoped audit page queries", small, large)
    assert large == small and large <= 20, (small, large)


def test_the_migration_gives_the_entries_written_before_it_their_unit(app, tree):
    session = model_session(tree.communes[0], status="ended")
    question = make_question(session, tree.secretaries[0])
    commitment = make_commitment(tree.communes[1], session=session, question=question)
    written = {
        "units": (tree.cells[0].id, tree.cells[0].id),
        "users": (tree.secretaries[2].id, tree.cells[2].id),
        "dialogue_sessions": (session.id, tree.communes[0].id),
        "questions": (question.id, tree.communes[0].id),
        "commitments": (commitment.id, tree.communes[1].id),
        "calendar_exceptions": (1, None),
    }
    ids = {}
    for object_type, (object_id, _unit) in written.items():
        entry = record(tree.admin, "test.before", None, object_type=object_type, object_id=object_id, unit_id=None)
        db.session.flush()
        ids[object_type] = entry.id
    db.session.commit()
    db.session.remove()
    downgrade(revision="0003")
    try:
        with db.engine.connect() as conn:
            columns = (
                [row[1] for row in conn.execute(text("PRAGMA table_info(audit_entries)"))]
                if (db.engine.dialect.name == "sqlite")
                else [
                    row[0]
                    for row in conn.execute(
                        text("SELECT column_name FROM information_schema.columns WHERE table_name = 'audit_entries'")
                    )
                ]
            )
        assert "unit_id" not in columns
    finally:
        upgrade()
    for object_type, (_object_id, unit_id) in written.items():
        assert db.session.get(AuditEntry, ids[object_type]).unit_id == unit_id, object_type
