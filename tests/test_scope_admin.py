"""An admin acts within their part of the tree: a commune's admin manages the units and accounts of the commune's
subtree and nothing outside it (out of scope is 404); the district's admin (at the root) manages everything."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dialogue.accounts import services as accounts
from dialogue.accounts.models import User
from dialogue.core.errors import Forbidden
from dialogue.units import services as units
from dialogue.units.models import Unit
from tests.factories import act


@pytest.fixture
def commune_admin(tree, make_user):
    return make_user("admin", name="Quản trị xã Bình An", unit=tree.communes[0], password="mat-khau-xa-1")


def test_a_commune_admin_sees_only_the_commune_s_units(client, tree, login_as, commune_admin):
    login_as(commune_admin)
    page = client.get("/admin/units/").get_data(as_text=True)
    assert tree.communes[0].name in page and "Chi bộ ấp Hòa An" in page
    assert tree.communes[1].name not in page and tree.district.name not in page
    assert client.get(f"/admin/units/{tree.cells[0].id}").status_code == 200
    assert client.get(f"/admin/units/{tree.cells[2].id}").status_code == 404  # another commune's cell
    assert client.get(f"/admin/units/{tree.district.id}").status_code == 404
    before = db_count(Unit)
    refused = client.post(
        "/admin/units/new", data={"name": "Chi bộ mới", "kind": "cell", "parent_id": tree.communes[1].id}
    )
    assert refused.status_code == 422 and db_count(Unit) == before
    created = client.post(
        "/admin/units/new", data={"name": "Chi bộ mới", "kind": "cell", "parent_id": tree.communes[0].id}
    )
    assert created.status_code == 302 and db_count(Unit) == before + 1
    assert client.post(f"/admin/units/{tree.cells[2].id}/active").status_code == 404


def test_the_services_refuse_what_is_outside_whatever_the_page(tree, commune_admin):
    before = db_count(Unit)
    with pytest.raises(Forbidden):
        act(units.create_unit, commune_admin, name="Chi bộ lạ", kind="cell", parent_id=tree.communes[1].id)
    with pytest.raises(Forbidden):
        act(units.create_unit, commune_admin, name="Tỉnh mới", kind="province", parent_id=None)
    with pytest.raises(Forbidden):
        act(units.move_unit, commune_admin, tree.cells[0], tree.communes[1].id)
    with pytest.raises(Forbidden):
        act(units.rename_unit, commune_admin, tree.cells[2], "Đổi tên")
    assert db_count(Unit) == before
    assert db_session_get(Unit, tree.cells[0].id).parent_id == tree.communes[0].id
    act(units.create_unit, tree.admin, name="Chi bộ của huyện", kind="cell", parent_id=tree.communes[1].id)
    assert db_count(Unit) == before + 1


def test_a_commune_admin_manages_only_the_commune_s_people(client, tree, login_as, commune_admin):
    login_as(commune_admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert tree.secretaries[0].name in page and tree.unit_account.name in page
    assert tree.secretaries[2].name not in page and tree.organizer.email not in page
    assert client.get(f"/admin/users/{tree.secretaries[0].id}").status_code == 200
    assert client.get(f"/admin/users/{tree.secretaries[2].id}").status_code == 404
    assert client.post(f"/admin/users/{tree.secretaries[2].id}/revoke-links").status_code == 404
    people = db_count(User)
    outside = client.post(
        "/admin/users/new",
        data={"name": "Người ngoài", "email": "ngoai@test.vn", "roles": ["secretary"], "unit_id": tree.cells[2].id},
    )
    assert outside.status_code == 422 and db_count(User) == people
    inside = client.post(
        "/admin/users/new",
        data={"name": "Người trong xã", "email": "trong@test.vn", "roles": ["secretary"], "unit_id": tree.cells[0].id},
    )
    assert inside.status_code == 302 and db_count(User) == people + 1
    with pytest.raises(Forbidden):
        act(accounts.update_user, commune_admin, tree.secretaries[2], name="Đổi tên")
    with pytest.raises(Forbidden):
        act(accounts.update_user, commune_admin, tree.secretaries[0], unit_id=tree.cells[2].id)
    assert db_session_get(User, tree.secretaries[0].id).unit_id == tree.cells[0].id


def test_the_district_admin_manages_every_commune(client, tree, login_as):
    login_as(tree.admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert tree.secretaries[0].name in page and tree.secretaries[2].name in page
    assert client.get(f"/admin/units/{tree.cells[2].id}").status_code == 200


def db_count(model) -> int:
    from dialogue.extensions import db

    return db.session.scalar(select(func.count()).select_from(model)) or 0


def db_session_get(model, ident):
    from dialogue.extensions import db

    db.session.expire_all()
    return db.session.get(model, ident)
