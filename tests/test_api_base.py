"""The API base: JSON errors, pagination, the OpenAPI document, idempotency keys."""

from __future__ import annotations

import threading

from openapi_spec_validator import validate
from sqlalchemy import func, select

from dialogue.core.idempotency import IdempotencyKey, run_once
from dialogue.extensions import db
from dialogue.units.models import Unit


def test_errors_are_json_in_vietnamese(client, tree, token_for):
    headers = token_for(tree.organizer)
    response = client.get("/api/v1/nothing-here", headers=headers)
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["code"] == "not_found" and "Không tìm thấy" in error["message"]
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    response = client.get("/api/v1/units?page=0", headers=headers)
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["page"]


def test_openapi_document_is_valid_openapi_3_and_lists_the_endpoints(client):
    response = client.get("/api/openapi.json")
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/me" in spec["paths"] and "/units" in spec["paths"]
    assert "Unit" in spec["components"]["schemas"]
    assert "Error" in spec["components"]["schemas"]


def test_docs_page_uses_only_local_assets(client):
    body = client.get("/api/docs").get_data(as_text=True)
    assert "api-docs.js" in body and "https://" not in body and "http://" not in body


def test_cookie_session_writes_need_the_csrf_header(app, client, tree, login_as, token_for, monkeypatch):
    """A same-origin page may call the API with its cookie, but only with the CSRF token; Bearer needs none."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login_as(tree.organizer)
    refused = client.post("/api/v1/sessions", json={})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "csrf"
    page = client.get("/account").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    with_token = client.post("/api/v1/sessions", json={}, headers={"X-CSRFToken": token})
    assert with_token.status_code == 422  # past the CSRF check, on to validation
    bearer = app.test_client().post("/api/v1/sessions", json={}, headers=token_for(tree.organizer))
    assert bearer.status_code == 422


def test_idempotency_returns_the_first_result_and_runs_once(tree):
    calls = []

    def work():
        calls.append(1)
        unit = Unit(name=f"Đơn vị {len(calls)}", kind="cell", parent_id=tree.communes[0].id, search_text="")
        db.session.add(unit)
        db.session.flush()
        return 201, {"id": unit.id}

    def request(user_id, key):  # the test is the request's boundary
        answer = run_once(user_id, key, "POST /x", work)
        db.session.commit()
        return answer

    first = request(tree.organizer.id, "key-1")
    second = request(tree.organizer.id, "key-1")
    assert first == second and len(calls) == 1
    other_user = request(tree.host.id, "key-1")
    assert other_user != first and len(calls) == 2
    assert request(tree.organizer.id, None)[1]["id"] != first[1]["id"]


def test_a_failed_first_attempt_frees_the_key(tree):
    def failing():
        return 422, {"error": {"code": "invalid", "message": "x"}}

    def working():
        return 201, {"ok": True}

    assert run_once(tree.organizer.id, "k", "POST /x", failing)[0] == 422
    db.session.rollback()  # the boundary of a refused request
    assert run_once(tree.organizer.id, "k", "POST /x", working) == (201, {"ok": True})
    db.session.commit()
    assert db.session.scalar(select(func.count(IdempotencyKey.id))) == 1


def test_concurrent_requests_with_one_key_create_one_record(app, tree):
    """A double click: two requests at once with the same key make one record and get the same answer."""
    results, errors = [], []
    organizer_id, parent_id = tree.organizer.id, tree.communes[0].id
    barrier = threading.Barrier(2)

    def attempt():
        with app.app_context():
            try:
                barrier.wait()

                def work():
                    unit = Unit(name="Chi bộ bấm hai lần", kind="cell", parent_id=parent_id, search_text="")
                    db.session.add(unit)
                    db.session.flush()
                    return 201, {"id": unit.id}

                results.append(run_once(organizer_id, "double-click", "POST /units", work))
                db.session.commit()
            except Exception as exc:  # collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert db.session.scalar(select(func.count(Unit.id)).where(Unit.name == "Chi bộ bấm hai lần")) == 1
