"""Every audit entry carries the unit its object belongs to, written by record() and given by the migration to the
entries written before it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from dialogue.accounts import services as accounts
from dialogue.audit.models import AuditEntry
from dialogue.audit.services import record
from dialogue.calendar.services import add_exception
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
