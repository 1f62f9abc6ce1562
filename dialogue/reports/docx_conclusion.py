"""The conclusion notice (thông báo kết luận) as a Word document: the host's conclusions and the assignments
grouped by responsible unit, with deadlines."""

from __future__ import annotations

from . import docx_base as d
from .docx_minutes import number_line


def conclusion_docx(content: dict) -> bytes:
    rec = content["record"]
    s = rec["session"]
    att = rec["attendance"]
    doc = d.new_document()
    d.party_header(
        doc, issuing_body=s["issuing_body"], number_line=number_line(content, "-TB"), date_line=content["date_line"]
    )
    d.title(doc, "THÔNG BÁO", f"Kết luận tại {lower_first(s['title'])}")

    chairs = ", ".join(f"đồng chí {c['name']}" + (f", {c['position']}" if c["position"] else "") for c in rec["chairs"])
    intro = (
        f"Ngày {s['date']}, tại {s['venue']}, {s['host_unit']} tổ chức {lower_first(s['title'])}, "
        f"chủ đề “{s['topic']}”" + (f", nhiệm kỳ {s['term']}" if s["term"] else "") + ". "
        f"Chủ trì: {chairs or '—'}. Tham dự: {att['present']}/{att['invited']} đồng chí được mời. "
        f"Tại buổi đối thoại có {len(rec['turns'])} lượt ý kiến phát biểu nêu ý kiến, kiến nghị, đề xuất."
    )
    d.paragraph(doc, intro)
    d.paragraph(doc, "Sau khi nghe ý kiến phát biểu, đồng chí chủ trì kết luận như sau:")

    d.heading(doc, "I. KẾT LUẬN")
    d.paragraph(doc, content.get("conclusions") or "")

    d.heading(doc, "II. PHÂN CÔNG THỰC HIỆN")
    if rec["commitments_by_unit"]:
        for index, group in enumerate(rec["commitments_by_unit"], start=1):
            d.paragraph(doc, "", label=f"{index}. {group['unit']}")
            for c in group["items"]:
                d.paragraph(doc, f"- {c['description'].rstrip('. ')} (thời hạn: {c['due']}).")
    else:
        d.paragraph(doc, "Không có nhiệm vụ được giao.")
    d.paragraph(
        doc,
        "Các đơn vị được giao nhiệm vụ báo cáo kết quả thực hiện về Văn phòng đúng thời hạn để tổng hợp, "
        "báo cáo Thường trực.",
    )
    doc.add_paragraph()
    recipients = ["Nơi nhận:", *(content.get("recipients") or "").splitlines()]
    signer = content.get("signer") or ""
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    for i, line in enumerate(recipients):
        p = left.paragraphs[0] if i == 0 else left.add_paragraph()
        d._run(p, line, bold=i == 0, italic=i == 0, size=d.Pt(11))
    for i, line in enumerate((f"T/M {s['issuing_body']}", "(Ký, ghi rõ họ tên)", "", "", signer)):
        d._cell_line(right, line, first=i == 0, bold=i in (0, 4))
    return d.to_bytes(doc)


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text
