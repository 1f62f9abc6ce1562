"""Every view declares who may use it, and protected views refuse anonymous people and people without the role."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from dialogue.core.access import ROLES, public, roles_required

SKIP_ENDPOINTS = {"static"}


def undeclared_views(url_map: Map, view_functions: dict) -> list[str]:
    """Endpoints whose view carries no access declaration: the check this test runs on the real app."""
    return sorted(
        rule.endpoint
        for rule in url_map.iter_rules()
        if rule.endpoint not in SKIP_ENDPOINTS and not hasattr(view_functions[rule.endpoint], "access")
    )


def _url(rule) -> str:
    values = {}
    for name in rule.arguments:
        values[name] = 999999 if isinstance(rule._converters[name], IntegerConverter) else "x"
    return rule.build(values, append_unknown=False)[1]


def _protected_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        access = app.view_functions[rule.endpoint].access
        if access.kind != "public":
            yield rule, access


def test_every_view_declares_who_may_use_it(app):
    assert undeclared_views(app.url_map, app.view_functions) == []


def test_the_check_catches_a_view_without_a_declaration():
    probe = Flask("probe")

    @probe.get("/declared")
    @public
    def declared():
        return "ok"

    @probe.get("/forgotten")
    def forgotten():
        return "oops"

    @probe.get("/staff")
    @roles_required("organizer")
    def staff():
        return "ok"

    assert undeclared_views(probe.url_map, probe.view_functions) == ["forgotten"]


def test_protected_views_refuse_anonymous_people(app, client):
    checked = 0
    for rule, _access in _protected_rules(app):
        url = _url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if rule.endpoint.startswith("api."):
                assert response.status_code == 401, (method, url, response.status_code)
                assert response.get_json()["error"]["code"] == "unauthorized"
            else:
                assert response.status_code == 302, (method, url, response.status_code)
                assert "/login" in response.headers["Location"], (method, url)
            checked += 1
    assert checked > 10


def test_role_views_refuse_people_without_the_role(app, client, make_user, login_as):
    checked = 0
    people: dict[frozenset, object] = {}
    for rule, access in _protected_rules(app):
        if access.kind != "roles":
            continue
        others = frozenset(set(ROLES) - set(access.roles))
        if not others:
            continue
        if others not in people:
            people[others] = make_user(*sorted(others))
        login_as(people[others])
        url = _url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, json={} if rule.endpoint.startswith("api.") else None)
            assert response.status_code == 403, (method, url, response.status_code, sorted(others))
            checked += 1
    assert checked > 5
