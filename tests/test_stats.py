"""Statistics of a session and of a period: the figures match counts made here, the query count does not grow
with the number of sessions, periods as the Party's rules ask, exports and the period's Word report."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from dialogue.core.timeutil import today_local
from dialogue.demo.seed import demo_user
from dialogue.extensions import db
from dialogue.followups.models import Commitment
from dialogue.live.models import Speaker
from dialogue.questions.models import Question
from dialogue.reports.periods import parse_period
from dialogue.responses.models import Response
from dialogue.sessions.models import Invitation
from tests.reports_fixtures import demo_session, docx_text, make_session  # noqa: F401


def _stats(html: str) -> dict[str, str]:
    found = dict(re.findall(r'data-stat="(\w+)">([^<]*)<', html))
    return {k: v.strip() for k, v in found.items()}


def _plain_cells(html: str) -> str:
    """The page's cells without their alignment class, to compare rows as text."""
    return html.replace('<td class="num">', "<td>")


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_session_statistics_page_matches_counts(demo_session, login_as):  # noqa: F811
    sid = demo_session.id
    client = login_as(demo_user("ubkt@demo.vn"))
    page = client.get(f"/reports/sessions/{sid}/stats")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<td>Kiến nghị</td><td class="num">' in html  # numbers are right-aligned
    html = _plain_cells(html)
    figures = _stats(html)
    expected = {
        "invited": _count(Invitation, Invitation.session_id == sid),
        "present": _count(Invitation, Invitation.session_id == sid, Invitation.checked_in_at.is_not(None)),
        "submissions": _count(Question, Question.session_id == sid, Question.status != "withdrawn"),
        "turns": _count(Speaker, Speaker.session_id == sid, Speaker.status == "finished"),
        "responses": _count(Response, Response.session_id == sid),
        "commitments": _count(Commitment, Commitment.session_id == sid, Commitment.status != "cancelled"),
    }
    assert expected == {"invited": 200, "present": 187, "submissions": 12, "turns": 6, "responses": 6, "commitments": 4}
    for key, value in expected.items():
        assert figures[key] == str(value), key
    # By kind, as the table shows it.
    kinds = dict(
        db.session.execute(
            select(Question.kind, func.count()).where(Question.session_id == sid).group_by(Question.kind)
        ).all()
    )
    assert f"<td>Kiến nghị</td><td>{kinds['recommendation']}</td>" in html
    assert "Tiếp thu</td><td>3</td>" in html and "Giải đáp, trả lời</td><td>3</td>" in html
    assert '<svg class="chart"' in html and "cdn" not in html.lower()
    assert "Thời gian phát biểu</td><td>25 phút 19 giây</td>" in html  # 262+298+241+187+226+305 s


def test_session_stats_api(demo_session, token_for, client):  # noqa: F811
    answer = client.get(f"/api/v1/sessions/{demo_session.id}/stats", headers=token_for(demo_user("vanphong@demo.vn")))
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["invited"] == 200 and body["present"] == 187 and body["turns_done"] == 6
    assert body["submissions_by_kind"] == {"question": 3, "opinion": 3, "recommendation": 4, "proposal": 2}
    assert body["responses_by_kind"] == {"answered": 3, "taken_on_board": 3, "referred": 0, "written": 0}
    assert body["commitments_by_status"] == {
        "assigned": 2,
        "in_progress": 0,
        "done": 1,
        "verified": 1,
        "cancelled": 0,
    }
    assert body["on_time_rate"] == 50.0  # 2 done on time, 2 open past their deadline
    assert body["overdue"] == _count(
        Commitment,
        Commitment.session_id == demo_session.id,
        Commitment.due_date < today_local(),
        Commitment.status.in_(("assigned", "in_progress")),
    )
    secretary_answer = client.get(
        f"/api/v1/sessions/{demo_session.id}/stats",
        headers=token_for(db.session.scalar(select(Invitation).limit(1)).user),
    )
    assert secretary_answer.status_code == 403


def _period_page(client) -> str:
    return client.get("/reports/stats?kind=range&from=2000-01-01&to=2099-12-31").get_data(as_text=True)


def test_period_statistics_query_count_does_not_grow(tree, login_as, count_queries):
    for i in range(3):
        make_session(tree, title=f"Buổi {i}", days_ago=5 + i)
    client = login_as(tree.organizer)
    assert client.get("/reports/stats?kind=range&from=2000-01-01&to=2099-12-31").status_code == 200
    with count_queries() as few:
        html = _period_page(client)
    assert _stats(html)["turns"] == "3"
    for i in range(3, 60):
        make_session(tree, title=f"Buổi {i}", days_ago=5 + i)
    with count_queries() as many:
        html = _period_page(client)
    figures = _stats(html)
    assert figures["turns"] == "60" and figures["invited"] == "240" and figures["present"] == "180"
    assert figures["commitments"] == "120" and figures["overdue"] == "60"
    assert figures["on_time"] == "60" and figures["due"] == "120"
    assert many.count == few.count, (few.count, many.count)
    assert many.count < 25


def test_units_ranked_by_on_time_completion(tree, login_as):
    first_session = make_session(tree, title="Buổi A")
    make_session(tree, title="Buổi B", days_ago=20)
    client = login_as(tree.host)
    html = _plain_cells(_period_page(client))
    assert f'<a href="/reports/sessions/{first_session.id}/stats">Buổi A</a>' in html
    ranking = html[html.index('data-table="unit_ranking"') :]
    first, second = tree.communes[0].name, tree.communes[1].name
    assert ranking.index(first) < ranking.index(second)
    assert f"<td>1</td><td>{first}</td><td>2</td><td>2</td><td>2</td><td>0</td><td>100,0</td>" in ranking
    assert f"<td>2</td><td>{second}</td><td>2</td><td>0</td><td>0</td><td>2</td><td>0,0</td>" in ranking


def test_periods_as_the_rules_ask():
    q1 = parse_period({"kind": "quarter", "quarter": "1", "year": "2025"})
    assert (q1.start, q1.end, q1.title) == (date(2025, 1, 1), date(2025, 3, 31), "Quý I năm 2025")
    half = parse_period({"kind": "half", "year": "2025"})
    assert (half.start, half.end) == (date(2025, 1, 1), date(2025, 6, 30))
    nine = parse_period({"kind": "nine_months", "year": "2025"})
    assert nine.end == date(2025, 9, 30) and nine.title == "9 tháng đầu năm 2025"
    month = parse_period({"kind": "month", "month": "2", "year": "2024"})
    assert month.end == date(2024, 2, 29)
    year = parse_period({"kind": "year", "year": "2025"})
    assert (year.start, year.end) == (date(2025, 1, 1), date(2025, 12, 31))
    # Local days: 17/06/2025 00:30 in Vietnam is 16/06 17:30 UTC, inside June.
    june = parse_period({"kind": "month", "month": "6", "year": "2025"})
    assert june.start_utc.hour == 17 and june.start_utc.day == 31 and june.end_utc.day == 30


def test_demo_session_counts_in_its_quarter_and_not_the_first(demo_session, login_as):  # noqa: F811
    client = login_as(demo_user("vanphong@demo.vn"))
    q2 = _stats(client.get("/reports/stats?kind=quarter&quarter=2&year=2025").get_data(as_text=True))
    assert q2["invited"] == "200" and q2["turns"] == "6"
    q1 = _stats(client.get("/reports/stats?kind=quarter&quarter=1&year=2025").get_data(as_text=True))
    assert q1["invited"] == "0"


def test_bad_period_is_refused_with_a_message(tree, login_as):
    client = login_as(tree.organizer)
    answer = client.get("/reports/stats?kind=range&from=2025-05-01&to=2025-04-01")
    assert answer.status_code == 422
    assert "Ngày kết thúc phải sau ngày bắt đầu." in answer.get_data(as_text=True)
    assert client.get("/reports/stats?kind=month&month=13").status_code == 422
    assert client.get("/reports/stats?kind=range&from=1900-01-01&to=2099-01-01").status_code == 422


def test_exports_csv_xlsx_and_period_report(tree, login_as):
    make_session(tree, title="Buổi đối thoại về kiểm tra")
    client = login_as(tree.secretariat)
    query = "kind=range&from=2000-01-01&to=2099-12-31"
    answer = client.get(f"/reports/stats/export/sessions/csv?{query}")
    assert answer.status_code == 200 and answer.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Buổi đối thoại" and rows[1][0] == "Buổi đối thoại về kiểm tra"
    answer = client.get(f"/reports/stats/export/unit_ranking/xlsx?{query}")
    sheet = load_workbook(io.BytesIO(answer.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][1] == "Đơn vị" and values[2][1] == tree.communes[0].name
    assert client.get(f"/reports/stats/export/nothing/csv?{query}").status_code == 404
    assert client.get(f"/reports/stats/export/sessions/pdf?{query}").status_code == 404
    session_csv = client.get(
        f"/reports/sessions/{db.session.scalar(select(Question.session_id))}/stats/export/submissions_by_kind/csv"
    )
    assert "Kiến nghị,1" in session_csv.data.decode("utf-8-sig")
    report = client.get(f"/reports/stats/report.docx?{query}")
    assert report.status_code == 200
    text = docx_text(report.data)
    assert "HUYỆN ỦY CHÂU THÀNH" in text and "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "BÁO CÁO" in text
    assert "Xếp hạng đơn vị theo tỷ lệ hoàn thành đúng hạn" in text
    assert f"1 | {tree.communes[0].name} | 1 | 1 | 1 | 0 | 100,0" in text


def test_statistics_are_for_staff(tree, login_as, client):
    session = make_session(tree, title="Buổi")
    login_as(tree.secretaries[0])
    assert client.get("/reports/stats").status_code == 403
    assert client.get(f"/reports/sessions/{session.id}/stats").status_code == 403
    login_as(tree.unit_account)
    assert client.get("/reports/stats/report.docx").status_code == 403


def test_turn_time_excludes_pauses(tree, login_as):
    session = make_session(tree, title="Buổi")
    client = login_as(tree.organizer)
    html = client.get(f"/reports/sessions/{session.id}/stats").get_data(as_text=True)
    assert "3 phút 20 giây" in html  # 230 s spoken minus 30 s paused
