"""Periodic reports: figures true as of the end of the period (a task due after the quarter is not overdue in its
report, one done after it was still open then, one created after it is not there), only sessions held, the issuing
unit's subtree; the secretariat's sections drafted then published with a number, a signer and recipients; tables
that print (Word: widths in the grid; XLSX: real types, wrapped, landscape fit to width, header repeated)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from openpyxl import load_workbook
from sqlalchemy import func, select

from dialogue.core.text import search_blob
from dialogue.core.timeutil import local_to_utc
from dialogue.extensions import db
from dialogue.followups.models import Commitment, CommitmentUpdate
from dialogue.live.models import Speaker
from dialogue.reports.models import DocumentNumber, PeriodReport, PublishedDocument
from dialogue.reports.periods import parse_period
from dialogue.reports.stats import period_stats
from dialogue.reports.stats_tables import format_cell
from dialogue.responses.models import Response
from dialogue.sessions.models import DialogueSession, Invitation, SessionHost
from tests.reports_fixtures import docx_text, make_session

Q2 = {"kind": "quarter", "quarter": "2", "year": "2025"}


def _at(y, m, d, hour=9):
    return local_to_utc(datetime(y, m, d, hour, 0))


def _held(tree, host_unit, day: date, *, status="ended", title="Buổi"):
    start = _at(day.year, day.month, day.day, 14)
    session = DialogueSession(
        title=title,
        topic="Công tác kiểm tra, giám sát",
        term="2020–2025",
        venue="Hội trường",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        questions_close_at=start - timedelta(days=2),
        turn_seconds=300,
        host_unit_id=host_unit.id,
        status=status,
        opened_at=start if status in ("live", "ended") else None,
        closed_at=start + timedelta(hours=2) if status == "ended" else None,
        search_text=search_blob(title),
    )
    db.session.add(session)
    db.session.flush()
    db.session.add(SessionHost(session_id=session.id, user_id=tree.host.id))
    for person in tree.secretaries[:2]:
        db.session.add(
            Invitation(session_id=session.id, user_id=person.id, unit_id=person.unit_id, checked_in_at=start)
        )
    db.session.flush()
    return session


def _task(tree, session, *, due: date, created: datetime, unit=None, trail=()):
    """A commitment with its trail: ``trail`` is (when, to_status or "extend", new due)."""
    c = Commitment(
        session_id=session.id,
        description="Nhiệm vụ",
        unit_id=(unit or tree.communes[0]).id,
        due_date=due,
        original_due_date=due,
        status="assigned",
        created_at=created,
        search_text="",
    )
    db.session.add(c)
    db.session.flush()
    db.session.add(CommitmentUpdate(commitment_id=c.id, kind="created", to_status="assigned", created_at=created))
    status = "assigned"
    for when, change, new_due in trail:
        if change == "extend":
            db.session.add(
                CommitmentUpdate(
                    commitment_id=c.id, kind="extended", old_due_date=c.due_date, new_due_date=new_due, created_at=when
                )
            )
            c.due_date = new_due
        else:
            db.session.add(
                CommitmentUpdate(
                    commitment_id=c.id, kind="status", from_status=status, to_status=change, created_at=when
                )
            )
            status = change
            if change == "done":
                c.done_at, c.result_report = when, "Đã xong."
    c.status = status
    db.session.flush()
    return c


def _quarter_world(tree):
    district, first, second = tree.district, tree.communes[0], tree.communes[1]
    main = _held(tree, district, date(2025, 5, 10), title="Buổi của huyện")
    _task(tree, main, due=date(2025, 6, 20), created=_at(2025, 5, 10), trail=[(_at(2025, 7, 5), "done", None)])
    _task(tree, main, due=date(2025, 8, 15), created=_at(2025, 5, 10))
    _task(
        tree,
        main,
        due=date(2025, 6, 10),
        created=_at(2025, 5, 10),
        trail=[(_at(2025, 6, 5), "extend", date(2025, 9, 30))],
    )
    _task(tree, main, due=date(2026, 1, 10), created=_at(2025, 7, 15))
    db.session.add(
        Response(session_id=main.id, kind="written", text="Trả lời sau kỳ.", created_at=_at(2025, 8, 1), search_text="")
    )
    db.session.add(Response(session_id=main.id, kind="answered", text="Trả lời tại buổi.", created_at=_at(2025, 5, 10)))
    commune = _held(tree, first, date(2025, 6, 2), title="Buổi của xã")
    _task(tree, commune, due=date(2025, 6, 25), created=_at(2025, 6, 2), trail=[(_at(2025, 6, 20), "done", None)])
    _held(tree, district, date(2025, 6, 28), status="closed", title="Buổi chưa diễn ra")  # not held: not counted
    db.session.commit()
    return district, first, second


def test_figures_are_true_as_of_the_end_of_the_period(tree):
    district, first, second = _quarter_world(tree)
    q2 = parse_period(Q2)
    figures = period_stats(q2, district.id)
    assert figures["session_count"] == 2  # the district's and its commune's; the one not held is left out
    assert figures["commitments"] == 4  # the task created in July is not in Q2
    assert figures["overdue"] == 1  # due 20/06, done only on 05/07: open and late on 30/06
    assert figures["commitments_by_status"]["done"] == 1 and figures["commitments_by_status"]["assigned"] == 3
    assert (figures["on_time"], figures["due"]) == (1, 2)  # the commune's, done on time; the late one is due
    assert figures["responses"] == 1  # the written answer came in August
    assert period_stats(q2, first.id)["session_count"] == 1  # a commune's report covers its own subtree
    assert period_stats(q2, second.id)["session_count"] == 0
    year = period_stats(parse_period({"kind": "year", "year": "2025"}), district.id)
    assert year["commitments"] == 5 and year["overdue"] == 2  # by 31/12: due 15/08 and the extended 30/09
    assert (year["on_time"], year["due"]) == (1, 4)  # the one done on 05/07 was late


def test_the_quarter_report_prints_its_figures_and_its_wide_table_on_a_landscape_page(tree, login_as):
    district, _first, _second = _quarter_world(tree)
    client = login_as(tree.secretariat)
    page = client.get(f"/reports/stats?kind=quarter&quarter=2&year=2025&unit_id={district.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-stat="overdue">1<' in html and "số liệu tính đến cuối kỳ (30/06/2025)" in html
    report = client.get(f"/reports/stats/report.docx?kind=quarter&quarter=2&year=2025&unit_id={district.id}")
    doc = Document(BytesIO(report.data))
    text = docx_text(report.data)
    assert "Kết quả tiếp xúc, đối thoại trực tiếp quý II năm 2025" in text and "quý ii" not in text
    assert "số liệu tính đến ngày 30/06/2025" in text and "DỰ THẢO" in doc.sections[0].header._element.xml
    assert "Trong kỳ đã tổ chức 2 buổi tiếp xúc" in text and "giao 4 nhiệm vụ, 1 nhiệm vụ quá hạn" in text
    landscape = [s for s in doc.sections if s.orientation == WD_ORIENT.LANDSCAPE]
    assert len(landscape) == 1 and doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    wide = next(t for t in doc.tables if len(t.columns) == 12)
    assert wide.rows[1].cells[1].text == "10/05/2025"  # the day it was held
    assert "Buổi chưa diễn ra" not in text
    refused = client.get("/reports/stats/report.docx?kind=quarter&quarter=2&year=2025&unit_id=999999")
    assert refused.status_code == 422
    client.get("/lang/en")  # in the English interface the page's labels are English, the report's are not
    english_page = client.get(f"/reports/stats?kind=quarter&quarter=2&year=2025&unit_id={district.id}")
    assert "Taken on board" in english_page.get_data(as_text=True)
    english = docx_text(
        client.get(f"/reports/stats/report.docx?kind=quarter&quarter=2&year=2025&unit_id={district.id}").data
    )
    assert "Tiếp thu | 0" in english and "Giải đáp, trả lời | 1" in english and "Taken on board" not in english


def test_the_secretariat_drafts_and_publishes_a_report(tree, login_as, make_user):
    district, first, _second = _quarter_world(tree)
    client = login_as(tree.secretariat)
    opened = client.post("/reports/periodic/open", data={"unit_id": district.id, **Q2})
    assert opened.status_code == 302
    report = db.session.scalar(select(PeriodReport))
    assert opened.headers["Location"].endswith(f"/reports/periodic/{report.id}/edit")
    assert client.post("/reports/periodic/open", data={"unit_id": district.id, **Q2}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PeriodReport)) == 1  # opened again, not twice
    url = f"/reports/periodic/{report.id}"

    page = client.get(url).get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="(\w+)"', page).group(1)
    form = {"revision": "0", "idempotency_key": key, "signer_id": tree.host.id, "signing": "tm", "recipients": ""}
    refused = client.post(f"{url}/publish", data=form)
    assert refused.status_code == 409 and "Xin soạn phần đánh giá chung" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PublishedDocument)) == 0

    saved = client.post(f"{url}/edit", data={"revision": "0", "assessment": "Đánh giá: đạt kế hoạch.", "term": ""})
    assert saved.status_code == 302
    stale = client.post(f"{url}/edit", data={"revision": "0", "assessment": "Bản gõ dở — đừng mất."})
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "Bản gõ dở — đừng mất." in html and "Đánh giá: đạt kế hoạch." in html

    published = client.post(f"{url}/publish", data={**form, "revision": "1"})
    assert published.status_code == 302 and published.headers["Location"].endswith("?version=1")
    doc = db.session.scalar(select(PublishedDocument))
    assert doc.kind == "report" and doc.content["number"]["symbol"] == "01-BC/HU"
    assert db.session.scalar(select(DocumentNumber.doc_type)) == "BC"
    text = docx_text(client.get(f"{url}/docx").data)
    assert "Số 01-BC/HU" in text and "Đánh giá: đạt kế hoạch." in text and "T/M BAN THƯỜNG VỤ" in text
    assert "(Chưa soạn.)" not in text  # a published report does not say what was left out
    assert "- Huyện ủy Châu Thành" not in text and "- Lưu Văn phòng Huyện ủy." in text
    listing = client.get("/reports/periodic").get_data(as_text=True)
    assert "Quý II năm 2025" in listing and "đã ban hành, phiên bản 1" in listing

    # Readers and scope: a cell secretary and a unit account are not staff; a commune's office sees its own only.
    login_as(tree.secretaries[0])
    assert client.get(url).status_code == 403
    login_as(tree.unit_account)
    assert client.get("/reports/periodic").status_code == 403
    commune_office = make_user("organizer", name="Văn phòng xã", unit=first)
    login_as(commune_office)
    assert client.get(url).status_code == 404
    assert client.post("/reports/periodic/open", data={"unit_id": district.id, **Q2}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PeriodReport)) == 1  # refused: not in its scope
    login_as(tree.host)  # the host reads but does not write reports
    assert client.get(url).status_code == 200
    assert client.get(f"{url}/edit").status_code == 403


def test_exports_keep_real_types_and_print(tree, login_as):
    session = make_session(tree, title='=HYPERLINK("http://x")')
    client = login_as(tree.secretariat)
    query = "kind=range&from=2000-01-01&to=2099-12-31"
    book = load_workbook(io.BytesIO(client.get(f"/reports/stats/export/sessions/xlsx?{query}").data))
    sheet = book.active
    header_row = 2
    assert [c.value for c in sheet[header_row]][:2] == ["Buổi đối thoại", "Ngày"]
    row = sheet[header_row + 1]
    assert row[0].data_type == "s" and row[0].value.startswith("=HYPERLINK")  # text, never a formula
    assert isinstance(row[1].value, datetime) and row[1].number_format == "dd/mm/yyyy"
    assert isinstance(row[3].value, int) and row[3].value == 4  # invited, a number
    assert row[7].value == timedelta(seconds=200) and row[7].number_format == "[h]:mm:ss"
    assert row[0].alignment.wrap_text and row[3].alignment.horizontal == "right"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$2:$2"
    ranking = load_workbook(io.BytesIO(client.get(f"/reports/stats/export/unit_ranking/xlsx?{query}").data)).active
    assert ranking.cell(row=3, column=7).value == 100.0 and ranking.cell(row=3, column=7).number_format == "0.0"
    rows = list(
        csv.reader(io.StringIO(client.get(f"/reports/stats/export/sessions/csv?{query}").data.decode("utf-8-sig")))
    )
    assert rows[1][0].startswith("'=HYPERLINK") and rows[1][3] == "4"
    assert session.id


def test_vietnamese_number_formats():
    assert format_cell(1234567, "int") == "1.234.567"
    assert format_cell(93.5, "rate") == "93,5" and format_cell(None, "rate") == "—"
    assert format_cell(3725, "duration") == "1 giờ 02 phút"
    assert format_cell(date(2026, 2, 7), "date") == "07/02/2026"


def test_session_statistics_count_who_spoke_as_present(tree, login_as):
    session = make_session(tree, title="Buổi", invite=4, present=3)
    absent = db.session.scalar(
        select(Invitation).where(Invitation.session_id == session.id, Invitation.checked_in_at.is_(None))
    )
    start = db.session.get(DialogueSession, session.id).starts_at
    db.session.add(
        Speaker(
            session_id=session.id,
            user_id=absent.user_id,
            status="finished",
            seconds_allowed=300,
            begin_time=start + timedelta(minutes=40),
            end_time=start + timedelta(minutes=42),
        )
    )
    db.session.commit()
    html = login_as(tree.organizer).get(f"/reports/sessions/{session.id}/stats").get_data(as_text=True)
    assert 'data-stat="present">4<' in html  # speaking without checking in is being there
