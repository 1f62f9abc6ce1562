"""Who may do what with commitments is answered by followups/permissions.py alone: the services refuse with its
messages, the pages offer exactly what it allows, and no role list is left in the area's views or templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dialogue.core.errors import Forbidden
from dialogue.core.permissions import RULES, can
from dialogue.followups import creation, operations
from dialogue.followups.permissions import allowed_actions
from tests.factories import act
from tests.followups_fixtures import due_in, make_question, make_session  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
NAMES = (
    "commitment.see",
    "commitment.create",
    "commitment.start",
    "commitment.update",
    "commitment.done",
    "commitment.verify",
    "commitment.reopen",
    "commitment.cancel",
    "commitment.extend",
    "followups.dashboard",
    "followups.export",
    "followups.unit_list",
    "followups.answer_in_writing",
    "followups.question",
)


@pytest.fixture
def setup(tree, make_user, make_session, make_question):  # noqa: F811
    session = make_session(tree.district, status="ended")
    question = make_question(session, tree.secretaries[0])
    commitment = act(
        creation.create_commitment,
        tree.host,
        description="Hướng dẫn chi bộ lập kế hoạch kiểm tra năm",
        unit_id=tree.communes[0].id,
        due_date=due_in(20),
        session_id=session.id,
        question_id=question.id,
    )
    other_unit = make_user("unit", name="Tài khoản xã Giục Tượng", unit=tree.communes[1])
    return tree, session, question, commitment, other_unit


def test_every_rule_of_the_area_is_registered():
    assert set(NAMES) <= set(RULES)


def test_what_each_person_may_do_in_each_state(setup):
    tree, _session, _question, c, other_unit = setup
    author, stranger = tree.secretaries[0], tree.secretaries[1]
    expected = {
        "assigned": {
            tree.unit_account: {"start", "update", "done"},
            tree.secretariat: {"start", "update", "extend", "cancel"},
            tree.host: set(),
            tree.organizer: set(),
            author: set(),
            other_unit: set(),
        },
        "in_progress": {
            tree.unit_account: {"update", "done"},
            tree.secretariat: {"update", "extend", "cancel"},
            tree.host: set(),
        },
        "done": {tree.unit_account: set(), tree.secretariat: {"verify", "reopen", "cancel"}, tree.admin: set()},
        "verified": {tree.unit_account: set(), tree.secretariat: {"reopen"}},
    }
    moves = {
        "in_progress": lambda: act(operations.start, tree.unit_account, c),
        "done": lambda: act(operations.mark_done, tree.unit_account, c, report="Đã xong."),
        "verified": lambda: act(operations.verify, tree.secretariat, c),
    }
    for state, by_person in expected.items():
        if state in moves:
            moves[state]()
        assert c.status == state
        for person, actions in by_person.items():
            assert allowed_actions(person, c) == actions, (state, person.name)
    # Seeing: staff, the unit, the author of the submission; not another unit or another secretary.
    for person in (tree.admin, tree.host, tree.organizer, tree.secretariat, tree.unit_account, author):
        assert can(person, "commitment.see", c), person.name
    for person in (other_unit, stranger):
        assert not can(person, "commitment.see", c), person.name
    # The lists and the dashboard.
    assert can(tree.host, "followups.dashboard") and can(tree.admin, "followups.export")
    assert not can(tree.unit_account, "followups.dashboard") and can(tree.unit_account, "followups.unit_list")
    assert can(tree.secretariat, "commitment.create") and not can(tree.admin, "commitment.create")
    assert not can(author, "commitment.create")


def test_a_unit_that_is_also_secretariat_never_verifies_its_own_work(setup):
    from dialogue.accounts.services import update_user

    tree, _session, _question, c, _other = setup
    both = tree.unit_account
    act(update_user, None, both, roles={"unit", "secretariat"})
    act(operations.mark_done, both, c, report="Xong.")
    assert "verify" not in allowed_actions(both, c) and "reopen" in allowed_actions(both, c)
    with pytest.raises(Forbidden) as refused:
        act(operations.verify, both, c)
    assert refused.value.message == "Đơn vị chủ trì không thể tự xác nhận kết quả của mình."
    with pytest.raises(Forbidden) as refused:
        act(operations.verify, tree.host, c)
    assert refused.value.message == "Chỉ bộ phận theo dõi (Văn phòng, Ủy ban Kiểm tra) mới xác nhận kết quả."


def test_pages_offer_what_the_rules_allow(setup, login_as, app):
    tree, session, question, c, _other = setup
    page = login_as(tree.unit_account).get(f"/followups/{c.id}").get_data(as_text=True)
    assert 'id="act-update"' in page and 'id="act-done"' in page and 'id="act-extend"' not in page
    assert 'href="/followups/mine"' in page  # "back" leads to the unit's own list
    page = login_as(tree.secretariat).get(f"/followups/{c.id}").get_data(as_text=True)
    assert 'id="act-extend"' in page and 'id="act-cancel"' in page and 'id="act-done"' not in page
    assert 'name="seen_status" value="assigned"' in page
    dashboard = login_as(tree.host).get("/followups/").get_data(as_text=True)
    assert "/followups/new" in dashboard and "/followups/export.xlsx" in dashboard
    dashboard = login_as(tree.admin).get("/followups/").get_data(as_text=True)
    assert "/followups/new" not in dashboard and "/followups/export.xlsx" in dashboard  # admins see, do not assign
    # The panels of a question and a session, through the Jinja global ``can``.
    from flask import render_template_string
    from flask_login import login_user

    for person, offers in ((tree.secretariat, True), (tree.secretaries[0], False)):
        with app.test_request_context():
            login_user(person)
            panel = render_template_string('{% include "followups/_question_panel.html" %}', question=question)
            session_panel = render_template_string('{% include "followups/_session_panel.html" %}', session=session)
        assert ("Giao nhiệm vụ từ câu hỏi này" in panel) is offers, person.name
        assert (f"/followups/new?session_id={session.id}" in session_panel) is offers, person.name


def test_no_role_list_is_left_in_the_areas_views_and_templates():
    """Who may is asked of the rules (``can``) or of the role groups of core.access, never spelled out again."""
    role = r"['\"](admin|organizer|host|secretary|secretariat|unit)['\"]"
    for path in sorted((ROOT / "templates" / "followups").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert "has_any_role" not in text and "role_names" not in text, path.name
    for name in (
        "views.py",
        "panels.py",
        "written.py",
        "operations.py",
        "creation.py",
        "queries.py",
        "counts.py",
        "notices.py",
        "reminders.py",
        "export.py",
    ):
        text = (ROOT / "dialogue" / "followups" / name).read_text(encoding="utf-8")
        code = "\n".join(line for line in text.splitlines() if not line.startswith("register_section("))
        assert not re.search(r"has_role\(\s*" + role, code), name
        assert not re.search(r"\(\s*" + role + r"\s*,\s*" + role, code), name  # a tuple or list of roles
