"""The minutes (biên bản) as a Word document, from a document content dict (see ``services.document_content``)."""

from __future__ import annotations

from . import docx_base as d


def number_line(content: dict, suffix: str) -> str:
    """ "Số 12-BB/HU" as the clerk typed it, or a blank number to fill by hand ("Số      -BB")."""
    number = (content.get("number") or "").strip()
    if not number:
        return f"Số       {suffix}"
    return number if number.lower().startswith("số") else f"Số {number}"


def minutes_docx(content: dict) -> bytes:
    rec = content["record"]
    s = rec["session"]
    att = rec["attendance"]
    doc = d.new_document()
    d.party_header(
        doc, issuing_body=s["issuing_body"], number_line=number_line(content, "-BB"), date_line=content["date_line"]
    )
    d.title(doc, "BIÊN BẢN", s["title"])

    d.heading(doc, "I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN")
    d.paragraph(doc, f"Vào lúc {s['start_time']} ngày {s['date']}, tại {s['venue']}.", label="Thời gian, địa điểm: ")
    d.paragraph(doc, s["topic"], label="Chủ đề: ")
    if s["term"]:
        d.paragraph(doc, s["term"], label="Nhiệm kỳ: ")
    chairs = "; ".join(f"đồng chí {c['name']}" + (f", {c['position']}" if c["position"] else "") for c in rec["chairs"])
    d.paragraph(doc, chairs or "—", label="Chủ trì: ")
    if content.get("clerk"):
        d.paragraph(doc, content["clerk"], label="Thư ký: ")
    d.paragraph(
        doc,
        f"được mời {att['invited']} đồng chí; có mặt {att['present']} đồng chí; vắng mặt {att['absent']} đồng chí.",
        label="Thành phần tham dự: ",
    )
    if att["by_unit"]:
        d.table(
            doc,
            ("Đơn vị", "Được mời", "Có mặt", "Vắng mặt"),
            [(g["unit"], g["invited"], g["present"], g["absent"]) for g in att["by_unit"]],
            widths_mm=(85, 25, 25, 25),
        )
        absent_lines = [f"{g['unit']}: {', '.join(g['absentees'])}." for g in att["by_unit"] if g["absentees"]]
        if absent_lines:
            d.paragraph(doc, "\n".join(absent_lines), label="Vắng mặt: ")

    d.heading(doc, "II. NỘI DUNG")
    d.heading(doc, "1. Khai mạc")
    d.paragraph(doc, content.get("opening") or "")

    d.heading(doc, f"2. Ý kiến phát biểu ({len(rec['turns'])} lượt, tổng thời gian {rec['turns_total_time']})")
    for turn in rec["turns"]:
        who = f"Lượt {turn['number']}: đồng chí {turn['name']}"
        if turn["position"]:
            who += f", {turn['position']}"
        if turn["unit"]:
            who += f", {turn['unit']}"
        d.paragraph(doc, f" (thời gian phát biểu: {turn['time_used']}).", label=who)
        q = turn.get("question")
        if q:
            d.paragraph(doc, f"{q['topic']}: {q['body']}", label=f"{q['kind_label']}: ")
        if turn["summary"]:
            d.paragraph(doc, turn["summary"], label="Tóm tắt ý kiến: ")
        for r in turn["responses"]:
            d.paragraph(doc, r["text"], label=_response_label(r, q["id"] if q else None))

    if rec["general_responses"]:
        d.heading(doc, "3. Ý kiến của chủ trì")
        for r in rec["general_responses"]:
            d.paragraph(doc, r["text"], label=_response_label(r))

    d.heading(doc, "4. Nhiệm vụ được giao")
    if rec["commitments"]:
        d.table(
            doc,
            ("STT", "Nội dung", "Đơn vị thực hiện", "Thời hạn"),
            [(i, c["description"], c["unit"], c["due"]) for i, c in enumerate(rec["commitments"], start=1)],
            widths_mm=(12, 88, 40, 25),
        )
    else:
        d.paragraph(doc, "Không có nhiệm vụ được giao.")

    d.heading(doc, "5. Bế mạc")
    d.paragraph(doc, content.get("closing") or "")
    d.paragraph(doc, f"Buổi tiếp xúc, đối thoại kết thúc lúc {s['end_time']} cùng ngày.")
    doc.add_paragraph()
    d.signatures(
        doc,
        ("THƯ KÝ", "(Ký, ghi rõ họ tên)", "", "", content.get("clerk") or ""),
        ("CHỦ TRÌ", "(Ký, ghi rõ họ tên)", "", "", rec["chairs"][0]["name"] if rec["chairs"] else ""),
    )
    return d.to_bytes(doc)


def answered_topics(r: dict, turn_question_id: int | None = None) -> str:
    """The submissions a response answers besides the turn's own question ("" when none)."""
    return "; ".join(q["topic"] for q in r.get("questions", []) if q["id"] != turn_question_id)


def _response_label(r: dict, turn_question_id: int | None = None) -> str:
    who = r["responder"]["name"] or "Chủ trì"
    text = f"{r['kind_label']} (đồng chí {who}"
    if r.get("referred_to"):
        text += f"; chuyển {r['referred_to']}"
    others = answered_topics(r, turn_question_id)
    if others:
        text += f"; trả lời cả: {others}"
    return text + "): "
