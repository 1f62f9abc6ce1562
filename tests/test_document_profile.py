"""The office's document profile: every figure of the format rules in one place, DOMAIN.md's by default, adjustable
by an admin (and only an admin); a wrong figure is refused beside its field; a published version keeps the profile
it was made with."""

from __future__ import annotations

import re
from io import BytesIO

from docx import Document
from sqlalchemy import func, select

from dialogue.audit.models import AuditEntry
from dialogue.extensions import db
from dialogue.reports.models import DocumentProfile, PublishedDocument
from dialogue.reports.profile import DEFAULTS
from tests.conftest import login
from tests.reports_fixtures import docx_text, make_session


def _form(page: str) -> dict:
    """The profile form as the page fills it."""
    values = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', page))
    values.update(re.findall(r'<select[^>]*name="(\w+)"[^>]*>.*?<option selected value="([^"]*)"', page, re.S))
    values.setdefault("page_number_position", "header")
    return values


def test_defaults_are_domain_s_figures():
    assert (DEFAULTS["margin_top_mm"], DEFAULTS["margin_bottom_mm"]) == (20, 20)
    assert (DEFAULTS["margin_left_mm"], DEFAULTS["margin_right_mm"]) == (30, 15)
    assert DEFAULTS["font"] == "Times New Roman" and DEFAULTS["size_party"] == 15 and DEFAULTS["size_type"] == 16
    assert DEFAULTS["size_body"] == 14 and DEFAULTS["size_place_date"] == 14 and DEFAULTS["size_subject"] == 14


def test_an_admin_adjusts_the_profile_and_published_versions_keep_theirs(app, tree, login_as):
    session = make_session(tree, title="Buổi tiếp xúc, đối thoại")
    docs = login_as(tree.host)
    assert docs.post(f"/reports/sessions/{session.id}/documents/minutes/publish", data={}).status_code == 302
    published = db.session.scalar(select(PublishedDocument)).docx

    assert docs.get("/reports/profile").status_code == 403  # a host does not set the format
    admin = app.test_client()
    login(admin, tree.admin)
    page = admin.get("/reports/profile").get_data(as_text=True)
    form = _form(page)
    assert form["margin_left_mm"] == "30" and form["font"] == "Times New Roman"

    wrong = admin.post("/reports/profile", data={**form, "margin_left_mm": "200", "size_body": "abc"})
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert "Từ 5 đến 60." in html and 'value="200"' in html  # the message, and what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(DocumentProfile)) == 0

    changed = {
        **form,
        "margin_left_mm": "35",
        "size_body": "15",
        "root_superior_body": "Đảng bộ tỉnh Kiên Giang",
        "current_term": "2025 - 2030",
    }
    assert admin.post("/reports/profile", data=changed).status_code == 302
    stale = admin.post("/reports/profile", data={**changed, "revision": "0", "size_body": "14"})
    assert stale.status_code == 409 and "người khác lưu" in stale.get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "document_profile.update"))
    assert entry.after["values"]["margin_left_mm"] == 35 and entry.before["values"]["margin_left_mm"] == 30

    draft = docs.get(f"/reports/sessions/{session.id}/documents/conclusion/docx").data
    doc = Document(BytesIO(draft))
    assert round(doc.sections[0].left_margin.mm) == 35 and doc.styles["Normal"].font.size.pt == 15
    assert "ĐẢNG BỘ TỈNH KIÊN GIANG" in docx_text(draft)  # the district has no parent in this tree
    again = docs.get(f"/reports/sessions/{session.id}/documents/minutes/docx?version=1").data
    assert again == published  # the signed file, byte for byte
    assert round(Document(BytesIO(again)).sections[0].left_margin.mm) == 30
