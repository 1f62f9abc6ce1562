"""The dashboard, the unit's list and the API list issue the same number of SQL statements at 50 and at 5,000
commitments: counts are aggregated in SQL and lists are paginated."""

from __future__ import annotations

from sqlalchemy import delete

from dialogue.extensions import db
from dialogue.followups.models import Commitment
from tests.factories import act
from tests.followups_fixtures import bulk_commitments, make_session  # noqa: F401


def _counts(client, login_as, token_for, tree, count_queries, session_id):
    results = {}
    headers = token_for(tree.secretariat)
    urls = {
        "dashboard": "/followups/",
        "dashboard_filtered": f"/followups/?overdue=1&session_id={session_id}",
        "dashboard_all_sessions": "/followups/?all_sessions=1",
        "dashboard_done": "/followups/?status=done",
        "unit_list": "/followups/mine",
        "home": "/",
    }
    for name, url in urls.items():
        login_as(tree.unit_account if name == "unit_list" else tree.secretariat)
        with count_queries() as counter:
            reply = client.get(url)
        assert reply.status_code == 200, (url, reply.status_code)
        results[name] = counter.count
    for name, url in {
        "api": "/api/v1/commitments",
        "api_overdue": "/api/v1/commitments?overdue=true&per_page=200",
    }.items():
        with count_queries() as counter:
            reply = client.get(url, headers=headers)
        assert reply.status_code == 200
        assert len(reply.get_json()["items"]) > 0
        results[name] = counter.count
    return results


def test_query_counts_do_not_grow_with_the_number_of_commitments(
    tree,
    make_session,  # noqa: F811
    client,
    login_as,
    token_for,
    count_queries,
):
    sessions = [make_session(tree.district, status="ended") for _ in range(6)]
    unit_ids = [tree.communes[0].id, tree.communes[1].id, *[c.id for c in tree.cells]]
    session_ids = [s.id for s in sessions] + [None]
    bulk_commitments(50, unit_ids, session_ids, tree.secretariat.id)
    few = _counts(client, login_as, token_for, tree, count_queries, sessions[0].id)
    db.session.execute(delete(Commitment))
    db.session.commit()
    bulk_commitments(5000, unit_ids, session_ids, tree.secretariat.id)
    many = _counts(client, login_as, token_for, tree, count_queries, sessions[0].id)
    assert few == many
    assert few["dashboard"] <= 14, few


def test_the_open_first_list_pages_across_open_and_closed_work(tree, make_session):  # noqa: F811
    from dialogue.followups import counts, queries

    session = make_session(tree.district)
    bulk_commitments(10, [tree.communes[0].id], [session.id], tree.secretariat.id)  # 4 open, 6 closed
    filters = act(queries.Filters)
    totals = counts.dashboard(tree.secretariat, filters).totals
    assert (totals.total, totals.open) == (10, 4)
    pages = [counts.open_first_page(tree.secretariat, filters, totals, page, 3) for page in (1, 2, 3, 4, 5)]
    ids = [c.id for page in pages for c in page]
    assert sorted(ids) == list(range(1, 11)) and len(ids) == 10  # every row once
    flat = [c for page in pages for c in page]
    assert [c.status in ("assigned", "in_progress") for c in flat] == [True] * 4 + [False] * 6
    open_dues = [c.due_date for c in flat[:4]]
    assert open_dues == sorted(open_dues)  # soonest (and so the overdue) first
    assert pages[4] == []
    overdue = act(queries.Filters, overdue=True)
    late_totals = counts.dashboard(tree.secretariat, overdue).totals
    late = act(counts.open_first_page, tree.secretariat, overdue, late_totals, 1, 50)
    assert len(late) == late_totals.overdue == late_totals.total
    assert all(queries.is_overdue(c) for c in late)


def test_the_first_view_ranks_sessions_overdue_first_then_recent(tree, make_session):  # noqa: F811
    from datetime import timedelta

    from dialogue.core.timeutil import now, today_local
    from dialogue.followups import counts, queries

    a, b, c = (make_session(tree.district, status="ended") for _ in range(3))
    rows = [(a, "assigned", -3), (a, "in_progress", -1), (b, "in_progress", 10), (b, "done", 5), (b, "verified", 1)]
    rows += [(b, "cancelled", 2), (c, "verified", -9)]
    for session, status, days in rows:
        due = today_local() + timedelta(days=days)
        db.session.add(
            Commitment(
                session_id=session.id,
                description="Việc",
                unit_id=tree.communes[0].id,
                due_date=due,
                original_due_date=due,
                status=status,
                progress=0,
                cancel_reason="Lý do" if status == "cancelled" else None,
                result_report="Xong" if status in ("done", "verified") else None,
                done_at=now() if status in ("done", "verified") else None,
                verified_at=now() if status == "verified" else None,
            )
        )
    db.session.commit()
    first = counts.dashboard(tree.secretariat, queries.Filters(), session_limit=2)
    assert [g.id for g in first.by_session] == [a.id, c.id] and not first.sessions_complete  # overdue, then recent
    assert (first.by_session[0].counts.overdue, first.by_session[0].counts.total) == (2, 2)
    assert (first.by_session[1].counts.verified, first.by_session[1].counts.total) == (1, 1)
    three = counts.dashboard(tree.secretariat, queries.Filters(), session_limit=3).by_session
    assert [g.id for g in three] == [a.id, c.id, b.id]
    assert (three[2].counts.open, three[2].counts.finished, three[2].counts.total) == (1, 2, 4)
    assert first.totals.total == 7 and first.totals.overdue == 2
    full = counts.dashboard(tree.secretariat, queries.Filters())
    assert {g.id for g in full.by_session} == {a.id, b.id, c.id} and full.sessions_complete
