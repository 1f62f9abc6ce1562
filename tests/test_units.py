"""The organisation tree: levels are data; units are created, renamed, moved, deactivated, never deleted with history."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialogue.audit.models import AuditEntry
from dialogue.core.errors import Conflict
from dialogue.extensions import db
from dialogue.units import services
from dialogue.units.models import Unit
from tests.factories import act


def test_any_level_can_be_the_top_and_have_cells(make_unit, make_user):
    """Since 2025 a commune's committee may run the app with cells directly beneath it."""
    ward = make_unit("Đảng ủy phường Vĩnh Thanh Vân", "grassroots")
    cell = make_unit("Chi bộ khu phố 1", "cell", ward)
    group = make_unit("Tổ đảng 1", "group", cell)
    secretary = make_user("secretary", unit=cell)
    make_user("organizer", unit=ward)
    assert services.descendant_ids([ward.id]) == {ward.id, cell.id, group.id}
    assert [u.id for u in services.cell_secretaries_beneath([ward.id])] == [secretary.id]


def test_cell_secretaries_beneath_a_district(tree):
    found = services.cell_secretaries_beneath([tree.district.id])
    assert {u.id for u in found} == {u.id for u in tree.secretaries}
    commune = services.cell_secretaries_beneath([tree.communes[0].id])
    assert len(commune) == 2


def test_move_refuses_a_cycle_and_is_audited(tree, make_unit):
    commune = tree.communes[0]
    with pytest.raises(Conflict):
        act(services.move_unit, tree.admin, commune, tree.cells[0].id)
    with pytest.raises(Conflict):  # the other commune already has a cell of that name
        act(services.move_unit, tree.admin, tree.cells[0], tree.communes[1].id)
    cell = make_unit("Chi bộ ấp Kênh Giữa", "cell", commune)
    act(services.move_unit, tree.admin, cell, tree.communes[1].id)
    assert db.session.get(Unit, cell.id).parent_id == tree.communes[1].id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.move"))
    assert entry.before["parent_id"] == commune.id and entry.after["parent_id"] == tree.communes[1].id
    assert entry.actor_id == tree.admin.id


def test_units_with_history_cannot_be_deleted_only_deactivated(tree, make_unit):
    with pytest.raises(Conflict):
        act(services.delete_unit, tree.admin, tree.cells[0])  # it has a secretary
    act(services.set_active, tree.admin, tree.cells[0], False)
    assert db.session.get(Unit, tree.cells[0].id).active is False
    mistake = make_unit("Chi bộ tạo nhầm", "cell", tree.communes[0])
    act(services.delete_unit, tree.admin, mistake)
    assert db.session.get(Unit, mistake.id) is None


def test_sibling_names_are_unique(tree):
    with pytest.raises(Conflict):
        act(services.create_unit, tree.admin, name="Chi bộ ấp Hòa An", kind="cell", parent_id=tree.communes[0].id)


def test_admin_pages_create_rename_move_and_deactivate(client, tree, login_as):
    login_as(tree.admin)
    response = client.post(
        "/admin/units/new", data={"name": "Chi bộ ấp Mới", "kind": "cell", "parent_id": tree.communes[0].id}
    )
    assert response.status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.name == "Chi bộ ấp Mới"))
    response = client.post(
        f"/admin/units/{unit.id}",
        data={"name": "Chi bộ ấp Mới Đổi", "kind": "cell", "parent_id": tree.communes[1].id},
    )
    assert response.status_code == 302
    unit = db.session.get(Unit, unit.id)
    assert (unit.name, unit.parent_id) == ("Chi bộ ấp Mới Đổi", tree.communes[1].id)
    client.post(f"/admin/units/{unit.id}/active")
    assert db.session.get(Unit, unit.id).active is False
    page = client.get("/admin/units/").get_data(as_text=True)
    assert "Chi bộ ấp Mới Đổi" in page and "Ngừng hoạt động" in page
    # An empty name is refused with a message, the rest of the form kept.
    response = client.post("/admin/units/new", data={"name": "", "kind": "group", "parent_id": tree.cells[0].id})
    assert response.status_code == 422
    assert "Xin nhập tên đơn vị" in response.get_data(as_text=True)


def test_units_api_lists_the_tree(client, tree, token_for):
    headers = token_for(tree.secretaries[0])
    body = client.get("/api/v1/units?per_page=3", headers=headers).get_json()
    assert body["total"] == 7 and body["per_page"] == 3 and len(body["items"]) == 3
    assert set(body["items"][0]) >= {"id", "name", "kind", "parent_id"}
    cells = client.get("/api/v1/units?kind=cell&q=hoa an", headers=headers).get_json()
    assert {u["name"] for u in cells["items"]} == {"Chi bộ ấp Hòa An"} and cells["total"] == 2
    bad = client.get("/api/v1/units?kind=city", headers=headers)
    assert bad.status_code == 422 and "kind" in bad.get_json()["error"]["fields"]
