"""Every state change writes who, when, what, before → after; the admin page lists and filters it."""

from sqlalchemy import select

from dialogue.audit import services
from dialogue.audit.models import AuditEntry
from dialogue.extensions import db
from dialogue.units.services import rename_unit
from tests.factories import act


def test_a_change_and_its_entry_commit_together(tree):
    act(rename_unit, tree.admin, tree.cells[0], "Chi bộ ấp Hòa An Mới")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.update"))
    assert entry.actor_id == tree.admin.id
    assert entry.object_type == "units" and entry.object_id == tree.cells[0].id
    assert entry.before["name"] == "Chi bộ ấp Hòa An" and entry.after["name"] == "Chi bộ ấp Hòa An Mới"
    assert entry.at is not None and entry.at.tzinfo is not None


def test_an_entry_rolls_back_with_its_change(tree):
    count = len(services.history("units", tree.cells[0].id))
    services.record(tree.admin, "unit.update", tree.cells[0], before={"a": 1}, after={"a": 2})
    db.session.rollback()  # the boundary of work that failed: the entry goes with it
    assert len(services.history("units", tree.cells[0].id)) == count


def test_admin_page_filters_by_action_and_actor(client, tree, login_as):
    act(rename_unit, tree.admin, tree.cells[0], "Chi bộ ấp Đổi Tên")
    login_as(tree.admin)
    body = client.get("/admin/audit/?action=unit.update").get_data(as_text=True)
    assert "unit.update" in body and "Chi bộ ấp Đổi Tên" in body and "user.create" not in body.split("<tbody>")[1]
    body = client.get("/admin/audit/?actor=quan tri").get_data(as_text=True)
    assert "Chi bộ ấp Đổi Tên" in body
    body = client.get("/admin/audit/?actor=nobody").get_data(as_text=True)
    assert "Chi bộ ấp Đổi Tên" not in body
