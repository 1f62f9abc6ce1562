"""The periodic report (báo cáo định kỳ) of dialogue sessions: the figures as of the end of the period with their
tables (the wide one on a landscape page), and the assessment sections the secretariat writes."""

from __future__ import annotations

from .layout import frame, lower_first, signing_lines, symbol_text

# The sections the secretariat writes, in the order the report prints them.
REPORT_SECTIONS: tuple[tuple[str, str], ...] = (
    ("assessment", "Đánh giá chung"),
    ("shortcomings", "Hạn chế, nguyên nhân"),
    ("directions", "Phương hướng, nhiệm vụ thời gian tới"),
    ("proposals", "Đề xuất, kiến nghị"),
)
ROMAN = ("I", "II", "III", "IV", "V", "VI")


def report_subject(period_title: str) -> str:
    return f"Kết quả tiếp xúc, đối thoại trực tiếp {lower_first(period_title)}"


def figures_sentence(figures: dict) -> str:
    from .stats_tables import format_cell, format_number

    n = {
        k: format_number(figures[k])
        for k in (
            "session_count",
            "invited",
            "present",
            "submissions",
            "turns_done",
            "responses",
            "commitments",
            "overdue",
        )
    }
    rate = figures["on_time_rate"]
    return (
        f"Trong kỳ đã tổ chức {n['session_count']} buổi tiếp xúc, đối thoại; mời {n['invited']} đồng chí, "
        f"có mặt {n['present']} đồng chí; tiếp nhận {n['submissions']} câu hỏi, ý kiến, kiến nghị, "
        f"đề xuất; {n['turns_done']} lượt phát biểu ({figures['turns_time']}); {n['responses']} ý kiến "
        f"trả lời; giao {n['commitments']} nhiệm vụ, {n['overdue']} nhiệm vụ quá hạn"
        + (f"; tỷ lệ hoàn thành đúng hạn {format_cell(rate, 'rate')}%." if rate is not None else ".")
    )


def _placeholder(text: str, draft: bool) -> str:
    if text:
        return text
    return "(Chưa soạn.)" if draft else ""


def report_layout(content: dict) -> dict:
    period = content["period"]
    draft = not content.get("version")
    sections = content.get("sections") or {}
    body = [
        {
            "t": "para",
            "text": f"{content['issuer']['name']} báo cáo kết quả tiếp xúc, đối thoại trực tiếp "
            f"{lower_first(period['title'])} (từ ngày {period['start']} đến ngày {period['end']}; số liệu tính đến "
            f"ngày {content['as_of']}), như sau:",
        },
        {"t": "heading", "text": "I. KẾT QUẢ THỰC HIỆN"},
        {"t": "heading", "text": "1. Số liệu"},
        {"t": "para", "text": content["figures_text"]},
    ]
    wide = [t for t in content["tables"] if t.get("wide")]
    for index, table in enumerate([t for t in content["tables"] if not t.get("wide")], start=1):
        body.append({"t": "para", "label": f"Bảng {index}. ", "text": table["title"], "indent": False})
        if table["rows"]:
            body.append({"t": "table", "columns": table["columns"], "rows": table["rows"]})
        else:
            body.append({"t": "para", "text": "Không có số liệu.", "indent": False})
    if wide:
        body.append({"t": "para", "text": "Danh sách các buổi tiếp xúc, đối thoại trong kỳ tại Phụ lục kèm theo."})
    key, title = REPORT_SECTIONS[0]
    body.append({"t": "heading", "text": f"2. {title}"})
    body.append({"t": "para", "text": _placeholder(sections.get(key, ""), draft)})
    for number, (key, title) in enumerate(REPORT_SECTIONS[1:], start=1):
        body.append({"t": "heading", "text": f"{ROMAN[number]}. {title.upper()}"})
        body.append({"t": "para", "text": _placeholder(sections.get(key, ""), draft)})
    signature = {"style": "single", "right": signing_lines(content["signing"])}
    layout = frame(content, "BÁO CÁO", [report_subject(period["title"])], body, signature)
    if wide:
        layout["annex"] = _annex(content, wide)
        layout["annex_landscape"] = True
    return layout


def _annex(content: dict, wide: list[dict]) -> list[dict]:
    """The wide tables, on landscape pages after the signature: a 12-column table never breaks inside words."""
    number = symbol_text(content)
    blocks = [
        {"t": "center", "text": "PHỤ LỤC"},
        {"t": "center", "text": f"Các buổi tiếp xúc, đối thoại trực tiếp {lower_first(content['period']['title'])}"},
        {"t": "center", "text": f"(Kèm theo Báo cáo số {number})", "bold": False},
    ]
    for table in wide:
        if table["rows"]:
            blocks.append({"t": "table", "columns": table["columns"], "rows": table["rows"], "wide": True})
        else:
            blocks.append({"t": "para", "text": "Không có buổi tiếp xúc, đối thoại nào trong kỳ.", "indent": False})
    return blocks


def period_docx(content: dict) -> bytes:
    from .layout import render

    return render(content)
