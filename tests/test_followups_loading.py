"""Loading is explicit: each query of the follow-up loads what its readers touch, a relationship read without being
loaded raises (instead of one query per row), and the pages of one commitment or one person cost the same number of
statements whatever the length of its history or list."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError

from dialogue.extensions import db
from dialogue.followups import creation, operations, queries
from dialogue.followups.models import Commitment
from tests.factories import act
from tests.followups_fixtures import due_in, make_question, make_session  # noqa: F401


def _create(tree, question=None, n: int = 1) -> list[Commitment]:
    return [
        act(
            creation.create_commitment,
            tree.host,
            description=f"Việc {i}",
            unit_id=tree.communes[0].id,
            due_date=due_in(10 + i),
            question_id=question.id if question else None,
        )
        for i in range(n)
    ]


def test_a_relationship_no_query_loaded_raises_instead_of_loading(tree):
    (made,) = _create(tree)
    db.session.expire_all()
    listed = db.session.scalars(queries.list_statement(tree.secretariat, queries.Filters())).unique().one()
    assert listed.unit.name == tree.communes[0].name  # always loaded with the row
    assert listed.session is None  # loaded (as nothing) by the list's query
    for name in ("assignee", "created_by", "question", "response", "updates"):
        with pytest.raises(InvalidRequestError):
            getattr(listed, name)
    db.session.expire_all()
    full = queries.get_commitment(tree.secretariat, made.id, with_updates=True)
    assert full.created_by.id == tree.host.id and [u.kind for u in full.updates] == ["created"]
    assert full.updates[0].author.id == tree.host.id


def test_one_commitments_page_and_api_cost_the_same_with_a_long_history(
    tree, client, login_as, token_for, count_queries
):
    (c,) = _create(tree)
    headers = token_for(tree.secretariat)

    def cost() -> tuple[int, int]:
        login_as(tree.secretariat)
        with count_queries() as page:
            assert client.get(f"/followups/{c.id}").status_code == 200
        with count_queries() as api:
            reply = client.get(f"/api/v1/commitments/{c.id}", headers=headers)
        assert reply.status_code == 200
        return page.count, api.count

    cost()  # warm-up (the header's figures are cached per request on g)
    short = cost()
    for i in range(12):
        act(operations.post_update, tree.unit_account, db.session.get(Commitment, c.id), note=f"Bước {i}", progress=i)
    assert cost() == short
    assert len(client.get(f"/api/v1/commitments/{c.id}", headers=headers).get_json()["updates"]) == 13


def test_the_home_pages_cost_the_same_for_one_and_for_many(
    tree,
    make_session,  # noqa: F811
    make_question,  # noqa: F811
    client,
    login_as,
    count_queries,
):
    session = make_session(tree.district)
    question = make_question(session, tree.secretaries[0])
    _create(tree, question)

    def cost() -> dict[str, int]:
        out = {}
        for who in (tree.secretaries[0], tree.unit_account, tree.secretariat):
            login_as(who)
            with count_queries() as counter:
                assert client.get("/").status_code == 200
            out[who.name] = counter.count
        return out

    cost()
    one = cost()
    _create(tree, question, n=8)
    assert cost() == one
    assert db.session.scalar(select(Commitment.id).order_by(Commitment.id.desc()).limit(1)) == 9
