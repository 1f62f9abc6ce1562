"""The minutes (biên bản) as Hướng dẫn 16-HD/VPTW asks: time and place of opening, the chair and the minute taker,
attendance (invited, present, absent with the reasons given), the officials present, every speaker by full name
in order with what they raised and each response, the chair's conclusions, the closing time, the sentence that the
minutes were read and approved, and the signatures of the minute taker (left) and the chair (right). Written
answers given after the session follow in an annex. The minute taker adds no comment of their own: everything
comes from the record or from what the clerk wrote in the draft."""

from __future__ import annotations

from .layout import SIGNATURE_SPACE, frame, symbol_text
from .stats_tables import format_number as n

DEFAULT_APPROVAL = "Biên bản đã được đọc lại trước các đồng chí dự buổi tiếp xúc, đối thoại và được nhất trí thông qua."


def _person_line(person: dict) -> str:
    return f"đồng chí {person['name']}" + (f", {person['position']}" if person.get("position") else "")


def _response_label(r: dict, turn_question_id: int | None = None) -> str:
    who = r["responder"]["name"] or "Chủ trì"
    text = f"{r['kind_label']} (đồng chí {who}"
    if r.get("referred_to"):
        text += f"; chuyển {r['referred_to']}"
    others = answered_topics(r, turn_question_id)
    if others:
        text += f"; trả lời cả: {others}"
    return text + "): "


def answered_topics(r: dict, turn_question_id: int | None = None) -> str:
    """The submissions a response answers besides the turn's own question ("" when none)."""
    return "; ".join(q["topic"] for q in r.get("questions", []) if q["id"] != turn_question_id)


def _attendance_blocks(content: dict) -> list[dict]:
    rec = content["record"]
    att = rec["attendance"]
    reasons = content.get("absence_reasons") or {}
    blocks = [
        {
            "t": "para",
            "label": "Thành phần tham dự: ",
            "text": f"được mời {n(att['invited'])} đồng chí; có mặt {n(att['present'])} đồng chí; "
            f"vắng mặt {n(att['absent'])} đồng chí.",
        }
    ]
    if att["by_unit"]:
        blocks.append(
            {
                "t": "table",
                "columns": [
                    {"title": "Đơn vị", "width": 90},
                    {"title": "Được mời", "width": 25, "numeric": True},
                    {"title": "Có mặt", "width": 25, "numeric": True},
                    {"title": "Vắng mặt", "width": 25, "numeric": True},
                ],
                "rows": [[g["unit"], n(g["invited"]), n(g["present"]), n(g["absent"])] for g in att["by_unit"]],
            }
        )
    lines = []
    for group in att["by_unit"]:
        for a in group["absentees"]:
            reason = absence_reason(a, reasons)
            where = f" ({a['cell']})" if a["cell"] else ""
            lines.append(f"- Đồng chí {a['name']}{where}: {reason}.")
    if lines:
        blocks.append({"t": "para", "label": "Vắng mặt: ", "text": ""})
        blocks.append({"t": "para", "text": "\n".join(lines)})
    return blocks


def absence_reason(absentee: dict, reasons: dict) -> str:
    """The reason the organizer recorded; without one, whether the invitee sent word (declined) or not."""
    given = (reasons.get(str(absentee["invitation_id"])) or "").strip().rstrip(".")
    if given:
        return f"vắng có lý do, {given[:1].lower()}{given[1:]}"
    if absentee.get("rsvp") == "declined":
        return "vắng có báo trước"
    return "vắng không báo lý do"


def _turn_blocks(rec: dict) -> list[dict]:
    blocks = []
    for turn in rec["turns"]:
        who = f"Lượt {turn['number']}: đồng chí {turn['name']}"
        if turn["position"]:
            who += f", {turn['position']}"
        if turn["unit"]:
            who += f", {turn['unit']}"
        when = f"phát biểu lúc {turn['began']}, " if turn.get("began") else ""
        blocks.append({"t": "para", "label": who, "text": f" ({when}thời gian phát biểu: {turn['time_used']})."})
        q = turn.get("question")
        if q:
            blocks.append({"t": "para", "label": f"{q['kind_label']}: ", "text": f"{q['topic']}: {q['body']}"})
        if turn["summary"]:
            blocks.append({"t": "para", "label": "Nội dung phát biểu: ", "text": turn["summary"]})
        for r in turn["responses"]:
            blocks.append({"t": "para", "label": _response_label(r, q["id"] if q else None), "text": r["text"]})
    return blocks


def _annex(content: dict) -> list[dict] | None:
    written = content["record"]["written_responses"]
    if not written:
        return None
    number = symbol_text(content)
    blocks = [
        {"t": "center", "text": "PHỤ LỤC"},
        {"t": "center", "text": "Các ý kiến được trả lời bằng văn bản sau buổi tiếp xúc, đối thoại"},
        {"t": "center", "text": f"(Kèm theo Biên bản số {number})", "bold": False},
    ]
    for i, r in enumerate(written, start=1):
        asked = "; ".join(
            f"{q['kind_label']} của đồng chí {q['author']} về “{q['topic']}”: {q['body']}" for q in r["questions"]
        )
        blocks.append({"t": "para", "label": f"{i}. ", "text": asked or "Ý kiến"})
        who = r["responder"]["name"]
        label = f"Trả lời bằng văn bản ngày {r['date']}" + (f" (đồng chí {who})" if who else "") + ": "
        blocks.append({"t": "para", "label": label, "text": r["text"]})
    return blocks


def minutes_layout(content: dict) -> dict:
    rec = content["record"]
    s = rec["session"]
    chairs = "; ".join(_person_line(c) for c in rec["chairs"])
    body = [
        {"t": "heading", "text": "I. THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN"},
        {"t": "para", "label": "Thời gian: ", "text": f"bắt đầu lúc {s['start_time']}, ngày {s['start_date']}."},
        {"t": "para", "label": "Địa điểm: ", "text": f"{s['venue']}."},
        {"t": "para", "label": "Chủ đề: ", "text": s["topic"] + (f"; nhiệm kỳ {s['term']}." if s["term"] else ".")},
        {"t": "para", "label": "Chủ trì: ", "text": (chairs or "—") + "."},
        {"t": "para", "label": "Thư ký (người ghi biên bản): ", "text": (content.get("clerk") or "—") + "."},
    ]
    chair_ids = {c["id"] for c in rec["chairs"]}
    officials = [_person_line(o) for o in rec["officials"] if o["id"] not in chair_ids]
    officials += [line.strip() for line in (content.get("officials") or "").splitlines() if line.strip()]
    if officials:
        body.append({"t": "para", "label": "Đại biểu tham dự: ", "text": "; ".join(officials) + "."})
    body += _attendance_blocks(content)

    body.append({"t": "heading", "text": "II. NỘI DUNG"})
    sections: list[tuple[str, list[dict]]] = [
        ("Khai mạc", [{"t": "para", "text": content.get("opening") or ""}]),
        (
            f"Ý kiến phát biểu và trả lời ({len(rec['turns'])} lượt, tổng thời gian {rec['turns_total_time']})",
            _turn_blocks(rec) or [{"t": "para", "text": "Không có lượt phát biểu."}],
        ),
    ]
    if rec["general_responses"]:
        sections.append(
            (
                "Ý kiến khác của đồng chí chủ trì",
                [{"t": "para", "label": _response_label(r), "text": r["text"]} for r in rec["general_responses"]],
            )
        )
    if rec["commitments"]:
        tasks = [
            {
                "t": "table",
                "columns": [
                    {"title": "STT", "width": 15, "numeric": True},
                    {"title": "Nội dung", "width": 85},
                    {"title": "Đơn vị chủ trì", "width": 40},
                    {"title": "Thời hạn", "width": 25},
                ],
                "rows": [[i, c["description"], c["unit"], c["due"]] for i, c in enumerate(rec["commitments"], 1)],
            }
        ]
    else:
        tasks = [{"t": "para", "text": "Không có nhiệm vụ được giao."}]
    sections.append(("Nhiệm vụ được giao", tasks))
    sections.append(("Kết luận của đồng chí chủ trì", [{"t": "para", "text": content.get("chair_conclusions") or ""}]))
    ending = f"Buổi tiếp xúc, đối thoại kết thúc lúc {s['end_time']}" + (
        " cùng ngày." if s["same_day"] else f", ngày {s['end_date']}."
    )
    closing = [{"t": "para", "text": content.get("closing") or ""}] if content.get("closing") else []
    sections.append(("Bế mạc", [*closing, {"t": "para", "text": ending}]))
    for number, (title, blocks) in enumerate(sections, start=1):
        body.append({"t": "heading", "text": f"{number}. {title}"})
        body += blocks
    body.append({"t": "para", "text": content.get("approval") or DEFAULT_APPROVAL})

    signature = {
        "style": "pair",
        "left": [
            {"text": "THƯ KÝ", "bold": True},
            {"text": content.get("clerk") or "", "bold": True, "space": SIGNATURE_SPACE},
        ],
        "right": [
            {"text": "CHỦ TRÌ", "bold": True},
            {"text": content.get("chair") or "", "bold": True, "space": SIGNATURE_SPACE},
        ],
    }
    layout = frame(content, "BIÊN BẢN", [s["title"]], body, signature)
    layout["annex"] = _annex(content)
    return layout


def minutes_docx(content: dict) -> bytes:
    from .layout import render

    return render(content)
