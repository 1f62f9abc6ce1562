"""Every document the office signs, rendered by LibreOffice and read back page by page against DOMAIN.md's rules
("Documents the office signs"), for the article's session and a big one (50 turns, 200 submissions, 40
commitments); the minutes agree with the record (attendance, actual times, speakers in order); documents are
Vietnamese whatever the reader's language."""

from __future__ import annotations

import re
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from sqlalchemy import select

from dialogue.demo.seed import demo_user
from dialogue.extensions import db
from dialogue.followups.models import Commitment
from dialogue.live.models import Speaker
from dialogue.reports import period_reports
from dialogue.reports.models import DocumentDraft
from dialogue.reports.periods import parse_period
from dialogue.sessions.models import Invitation
from dialogue.units.models import Unit
from tests.docs_render import check_format, check_rendered, lines, render_pdfs
from tests.reports_fixtures import BIG_TITLE, big_session, demo_session, docx_text  # noqa: F401

SUPERIOR, ISSUER = "ĐẢNG BỘ TỈNH KIÊN GIANG", "HUYỆN ỦY CHÂU THÀNH"
PAIR = ["THƯ KÝ", "CHỦ TRÌ"]


def _publish(client, headers, session_id: int, kind: str, **body):
    answer = client.post(f"/api/v1/sessions/{session_id}/documents/{kind}/publish", json=body, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def _download(client, session_id: int, kind: str, version: int | None = None) -> bytes:
    query = f"?version={version}" if version else ""
    answer = client.get(f"/reports/sessions/{session_id}/documents/{kind}/docx{query}")
    assert answer.status_code == 200
    return answer.data


def test_every_document_passes_every_rule_when_rendered(demo_session, big_session, login_as, token_for):  # noqa: F811
    host, clerk = demo_user("bithu@demo.vn"), demo_user("vanphong@demo.vn")
    secretariat = demo_user("ubkt@demo.vn")
    api = token_for(host)
    client = login_as(clerk)
    files: dict[str, bytes] = {}
    expect: dict[str, dict] = {}

    files["demo_minutes_draft"] = _download(client, demo_session.id, "minutes")
    expect["demo_minutes_draft"] = {"type": "BIÊN BẢN", "number": r"Số\s+-BB/HU", "draft": True, "signing": PAIR}
    files["demo_conclusion_draft"] = _download(client, demo_session.id, "conclusion")
    expect["demo_conclusion_draft"] = {
        "type": "THÔNG BÁO",
        "number": r"Số\s+-TB/HU",
        "draft": True,
        "signing": ["T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Lê Hoàng Phong"],
    }
    minutes = _publish(client, api, demo_session.id, "minutes", signer_id=host.id, recipients=["Thường trực Tỉnh ủy"])
    files["demo_minutes"] = _download(client, demo_session.id, "minutes", minutes["version"])
    expect["demo_minutes"] = {"type": "BIÊN BẢN", "number": r"Số 01-BB/HU", "draft": False, "signing": PAIR}
    notice = _publish(client, api, demo_session.id, "conclusion", signer_id=host.id, signing="kt")
    files["demo_conclusion"] = _download(client, demo_session.id, "conclusion", notice["version"])
    expect["demo_conclusion"] = {
        "type": "THÔNG BÁO",
        "number": r"Số 01-TB/HU",
        "draft": False,
        "signing": ["T/M BAN THƯỜNG VỤ", "K/T BÍ THƯ", "PHÓ BÍ THƯ", "Lê Hoàng Phong"],
    }
    files["big_minutes_draft"] = _download(client, big_session.id, "minutes")
    expect["big_minutes_draft"] = {"type": "BIÊN BẢN", "number": r"Số\s+-BB/HU", "draft": True, "signing": PAIR}
    big_minutes = _publish(client, api, big_session.id, "minutes", signer_id=host.id)
    files["big_minutes"] = _download(client, big_session.id, "minutes", big_minutes["version"])
    expect["big_minutes"] = {"type": "BIÊN BẢN", "number": r"Số 02-BB/HU", "draft": False, "signing": PAIR}
    files["big_conclusion_draft"] = _download(client, big_session.id, "conclusion")
    expect["big_conclusion_draft"] = {**expect["demo_conclusion_draft"]}
    big_notice = _publish(client, api, big_session.id, "conclusion", signer_id=clerk.id, signing="tl")
    files["big_conclusion"] = _download(client, big_session.id, "conclusion", big_notice["version"])
    expect["big_conclusion"] = {
        "type": "THÔNG BÁO",
        "number": r"Số 02-TB/HU",
        "draft": False,
        "signing": ["T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG", "Phan Thị Thu Hà"],
    }
    district = db.session.scalar(select(Unit).where(Unit.name == "Huyện ủy Châu Thành"))
    q1 = parse_period({"kind": "quarter", "quarter": "1", "year": "2026"})
    report = period_reports.open_report(secretariat, district.id, q1)
    period_reports.save_report(
        secretariat, report, {"assessment": "Các buổi đối thoại được tổ chức đúng kế hoạch."}, report.revision
    )
    db.session.commit()
    files["report_draft"] = client.get(f"/reports/periodic/{report.id}/docx").data
    expect["report_draft"] = {
        "type": "BÁO CÁO",
        "number": r"Số\s+-BC/HU",
        "draft": True,
        "signing": ["T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Lê Hoàng Phong"],
    }
    published = period_reports.publish_report(
        secretariat, report, signer_id=host.id, signing="tm", recipients=None, revision=report.revision
    )
    db.session.commit()
    files["report"] = client.get(f"/reports/periodic/{report.id}/docx?version={published.version}").data
    expect["report"] = {**expect["report_draft"], "number": r"Số 01-BC/HU", "draft": False}

    rendered = render_pdfs(files)
    for name, data in files.items():
        e = expect[name]
        check_format(data, type_name=e["type"], superior=SUPERIOR, issuer=ISSUER)
        check_rendered(
            rendered[name], superior=SUPERIOR, issuer=ISSUER, number=e["number"], draft=e["draft"], signing=e["signing"]
        )

    # The article's minutes fit a few pages; the big session's run long and every page is numbered.
    assert 3 <= rendered["demo_minutes"].page_count <= 8, rendered["demo_minutes"].page_count
    assert rendered["big_minutes_draft"].page_count >= 12
    assert rendered["big_minutes"].page_count == rendered["big_minutes_draft"].page_count
    print({name: r.page_count for name, r in rendered.items()})
    assert rendered["demo_minutes"].text.count("Lượt ") >= 6
    # A published version is not a draft, and keeps its number on the page; the draft said where it would be.
    first_page = lines(rendered["demo_conclusion"].pages[0])
    assert any("Số 01-TB/HU" in line for line in first_page)
    # The periodic report: "quý I", and its 12-column table on a landscape page (no word broken across lines).
    report_text = rendered["report"].text
    assert "Kết quả tiếp xúc, đối thoại trực tiếp quý I năm 2026" in report_text
    annex_page = next(p for p in rendered["report"].pages if "PHỤ LỤC" in p)
    assert "Buổi đối thoại" in annex_page and "Quá" in annex_page and "10/03/2026" in annex_page
    report_doc = Document(BytesIO(files["report"]))
    assert report_doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    assert report_doc.sections[0].orientation == WD_ORIENT.PORTRAIT
    assert all(not s.different_first_page_header_footer for s in report_doc.sections[1:])


def test_big_minutes_agree_with_the_record(big_session, login_as):  # noqa: F811
    """Presence is what happened (checked in, spoke or answered), the times are the live ones (the session ran two
    days before its scheduled day), speakers come in order by full name, sections are numbered without gaps, the
    chair's conclusions and the approval sentence are there, and the written answers follow in the annex."""
    client = login_as(demo_user("vanphong@demo.vn"))
    text = docx_text(_download(client, big_session.id, "minutes"))
    assert "được mời 200 đồng chí; có mặt 153 đồng chí; vắng mặt 47 đồng chí" in text
    invitations = {
        inv.user_id: inv
        for inv in db.session.scalars(select(Invitation).where(Invitation.session_id == big_session.id))
    }
    speakers = list(
        db.session.scalars(
            select(Speaker).where(Speaker.session_id == big_session.id).order_by(Speaker.begin_time, Speaker.id)
        )
    )
    absent_part = text[text.index("Vắng mặt: ") : text.index("II. NỘI DUNG")]
    spoke_without_check_in = [s for s in speakers if invitations[s.user_id].checked_in_at is None]
    assert len(spoke_without_check_in) == 2
    for s in spoke_without_check_in:
        assert s.user.name not in absent_part  # asking to speak and speaking is being there
    assert absent_part.count("- Đồng chí ") == 47
    assert "vắng có báo trước" not in absent_part  # the two who declined spoke after all
    assert "bắt đầu lúc 8 giờ 05 phút, ngày 10/03/2026" in text and "12/03/2026" not in text
    assert "kết thúc lúc 13 giờ 20 phút cùng ngày" in text
    positions = [text.index(f"Lượt {n}: đồng chí {s.user.name}") for n, s in enumerate(speakers, start=1)]
    assert positions == sorted(positions) and len(positions) == 50
    headings = re.findall(r"^(\d+)\. (Khai mạc|Ý kiến phát biểu|Nhiệm vụ được giao|Kết luận|Bế mạc)", text, re.M)
    assert [int(n) for n, _t in headings] == [1, 2, 3, 4, 5]
    assert "Kết luận của đồng chí Bí thư Huyện ủy." in text  # the chair's conclusions
    assert "Biên bản đã được đọc lại trước các đồng chí dự buổi tiếp xúc, đối thoại và được nhất trí thông qua." in text
    annex = text[text.index("PHỤ LỤC") :]
    assert "Các ý kiến được trả lời bằng văn bản sau buổi tiếp xúc, đối thoại" in annex
    assert annex.count("Trả lời bằng văn bản ngày ") == 20
    assert "(Kèm theo Biên bản số" in annex


def test_conclusion_notice_lists_numbered_tasks_and_reads_right_whatever_the_title(big_session, login_as):  # noqa: F811
    client = login_as(demo_user("vanphong@demo.vn"))
    draft = db.session.scalar(
        select(DocumentDraft).where(DocumentDraft.session_id == big_session.id, DocumentDraft.kind == "conclusion")
    )
    first_task = db.session.scalar(
        select(Commitment.id).where(Commitment.session_id == big_session.id).order_by(Commitment.due_date).limit(1)
    )
    answer = client.post(
        f"/reports/sessions/{big_session.id}/documents/conclusion/edit",
        data={
            "revision": draft.revision,
            "conclusions": "Kết luận.",
            f"cooperating_{first_task}": "Ủy ban Kiểm tra Huyện ủy; Ban Tổ chức Huyện ủy",
        },
    )
    assert answer.status_code == 302
    text = docx_text(_download(client, big_session.id, "conclusion"))
    assert f"tại buổi tiếp xúc, đối thoại trực tiếp “{BIG_TITLE}”" in text
    assert "tại thường trực" not in text.lower()
    for n in range(1, 41):
        assert re.search(rf"^{n}\. Nhiệm vụ số \d+: thực hiện kiến nghị của chi bộ\.$", text, re.M), n
    assert text.count("Đơn vị chủ trì: ") == 40 and text.count("Thời hạn hoàn thành: ") == 40
    assert "Đơn vị chủ trì: Đảng ủy thị trấn Minh Lương; đơn vị phối hợp: Ủy ban Kiểm tra Huyện ủy; Ban Tổ chức" in text
    assert "báo cáo kết quả về Huyện ủy Châu Thành (qua Văn phòng Huyện ủy)" in text


def test_documents_are_vietnamese_whatever_the_reader_s_language(demo_session, login_as, token_for):  # noqa: F811
    host = demo_user("bithu@demo.vn")
    host.locale = "en"
    db.session.commit()
    client = login_as(host)
    client.get("/lang/en")
    page = client.get(f"/reports/sessions/{demo_session.id}/documents/minutes").get_data(as_text=True)
    assert "Publish" in page or "Download" in page  # the interface is English
    assert "Kiến nghị: " in page and "Recommendation: " not in page  # the document is not
    _publish(client, token_for(host), demo_session.id, "minutes", signer_id=host.id)
    text = docx_text(_download(client, demo_session.id, "minutes"))
    for vietnamese in ("Kiến nghị: ", "Câu hỏi: ", "Tiếp thu (đồng chí", "Giải đáp, trả lời (đồng chí"):
        assert vietnamese in text, vietnamese
    for english in ("Question:", "Recommendation:", "Taken on board", "Answered"):
        assert english not in text, english


def test_word_files_carry_vietnamese_properties_and_printable_tables(demo_session, login_as):  # noqa: F811
    client = login_as(demo_user("vanphong@demo.vn"))
    doc = Document(BytesIO(_download(client, demo_session.id, "minutes")))
    props = doc.core_properties
    assert props.author == "Huyện ủy Châu Thành" and props.language == "vi-VN"
    assert props.title.startswith("Biên bản") and "python-docx" not in (props.comments or "")
    assert doc.settings.element.find(qn("w:themeFontLang")).get(qn("w:val")) == "vi-VN"
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Đơn vị")
    widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert len(set(widths)) > 1 and abs(sum(widths) - 165 * 1440 / 25.4) < 30  # the grid holds the widths
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    number_cell = table.rows[1].cells[1].paragraphs[0]
    assert number_cell.alignment == WD_ALIGN_PARAGRAPH.RIGHT and number_cell.text == "20"
    assert table.rows[1].cells[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    # Page numbers: a PAGE field in the header of every page but the first.
    section = doc.sections[0]
    assert section.different_first_page_header_footer
    assert 'w:instr="PAGE"' in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml
    assert "DỰ THẢO" in section.first_page_header._element.xml and "DỰ THẢO" in section.header._element.xml
