"""The admin lists and the units API issue the same number of SQL statements for a few rows and for many."""

from __future__ import annotations

from dialogue.accounts.models import User, UserRole
from dialogue.extensions import db
from dialogue.units.models import Unit


def _grow(tree, cells: int, start: int = 0) -> None:
    parent = tree.communes[0]
    units = [
        Unit(name=f"Chi bộ số {i}", kind="cell", parent_id=parent.id, search_text=f"chi bo so {i}")
        for i in range(start, start + cells)
    ]
    db.session.add_all(units)
    db.session.flush()
    people = [
        User(name=f"Bí thư số {i}", unit_id=u.id, search_text="", active=True, link_version=0)
        for i, u in enumerate(units)
    ]
    db.session.add_all(people)
    db.session.flush()
    db.session.add_all([UserRole(user_id=p.id, role="secretary") for p in people])
    db.session.commit()


def _statements(client, count_queries, url: str, **kwargs) -> int:
    with count_queries() as counter:
        response = client.get(url, **kwargs)
        assert response.status_code == 200
    return counter.count


def test_units_pages_and_api_do_not_grow_with_rows(client, tree, login_as, token_for, count_queries):
    headers = token_for(tree.organizer)
    login_as(tree.admin)
    urls = ["/admin/units/", "/admin/users", "/admin/audit/"]
    _grow(tree, 10)
    small = [_statements(client, count_queries, u) for u in urls]
    small_api = _statements(client, count_queries, "/api/v1/units?per_page=1000", headers=headers)
    _grow(tree, 2000, start=10)
    large = [_statements(client, count_queries, u) for u in urls]
    large_api = _statements(client, count_queries, "/api/v1/units?per_page=1000", headers=headers)
    assert small == large
    assert small_api == large_api
