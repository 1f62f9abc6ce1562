"""The conclusion notice (thông báo kết luận): the chair's conclusions, then the tasks, numbered, each with one
lead unit, the co-operating units, the deadline and the duty to report back; signed T/M, K/T or T/L."""

from __future__ import annotations

from ..core.text import fold
from .layout import frame, lower_first, signing_lines
from .stats_tables import format_number as n


def occasion(title: str) -> str:
    """The session as the subject line names it, whatever its title: "buổi tiếp xúc, …" when the title is already
    one ("Buổi …"), else the title quoted after the words for the kind of meeting."""
    text = " ".join((title or "").split())
    if fold(text).startswith("buoi "):
        return lower_first(text)
    return f"buổi tiếp xúc, đối thoại trực tiếp “{text}”"


def default_subject(record: dict) -> str:
    chair = record["chairs"][0] if record["chairs"] else None
    who = f" của đồng chí {chair['position']}" if chair and chair.get("position") else ""
    return f"Kết luận{who} tại {occasion(record['session']['title'])}"


def report_to(content: dict) -> str:
    """Where the lead units report: the issuing body, through its office."""
    issuer = content["issuer"]
    office = issuer.get("archive", "").removeprefix("Lưu ").strip() or "Văn phòng"
    return f"{issuer['name']} (qua {office})"


def conclusion_layout(content: dict) -> dict:
    rec = content["record"]
    s = rec["session"]
    att = rec["attendance"]
    chairs = "; ".join(f"đồng chí {c['name']}" + (f", {c['position']}" if c["position"] else "") for c in rec["chairs"])
    first_chair = rec["chairs"][0]["name"] if rec["chairs"] else ""
    intro = (
        f"Ngày {s['start_date']}, tại {s['venue']}, {s['host_unit']} tổ chức {occasion(s['title'])}, "
        f"chủ đề “{s['topic']}”" + (f", nhiệm kỳ {s['term']}" if s["term"] else "") + ". "
        f"Chủ trì: {chairs or '—'}. Tham dự: {n(att['present'])}/{n(att['invited'])} đồng chí được mời. "
        f"Tại buổi tiếp xúc, đối thoại có {len(rec['turns'])} lượt ý kiến phát biểu nêu ý kiến, kiến nghị, đề xuất."
    )
    body = [
        {"t": "para", "text": intro},
        {
            "t": "para",
            "text": "Sau khi nghe ý kiến phát biểu, "
            + (f"đồng chí {first_chair}" if first_chair else "đồng chí chủ trì")
            + " kết luận như sau:",
        },
        {"t": "heading", "text": "I. KẾT LUẬN"},
        {"t": "para", "text": content.get("conclusions") or ""},
        {"t": "heading", "text": "II. NHIỆM VỤ VÀ PHÂN CÔNG THỰC HIỆN"},
    ]
    cooperating = content.get("cooperating") or {}
    destination = report_to(content)
    if rec["commitments"]:
        for number, c in enumerate(rec["commitments"], start=1):
            body.append({"t": "para", "label": f"{number}. ", "text": c["description"].rstrip(" .") + "."})
            partners = (cooperating.get(str(c["id"])) or "").strip().rstrip(".")
            body.append(
                {
                    "t": "para",
                    "label": "Đơn vị chủ trì: ",
                    "text": c["unit"] + (f"; đơn vị phối hợp: {partners}." if partners else "."),
                }
            )
            body.append(
                {
                    "t": "para",
                    "label": "Thời hạn hoàn thành: ",
                    "text": f"{c['due']}. Đơn vị chủ trì báo cáo kết quả về {destination} khi hoàn thành, "
                    "chậm nhất vào ngày này.",
                }
            )
    else:
        body.append({"t": "para", "text": "Không có nhiệm vụ được giao."})
    body.append(
        {
            "t": "para",
            "text": f"Đề nghị các đơn vị được giao nhiệm vụ khẩn trương triển khai thực hiện, báo cáo kết quả về "
            f"{destination} đúng thời hạn để tổng hợp, theo dõi.",
        }
    )
    subject = content.get("subject") or default_subject(rec)
    signature = {"style": "single", "right": signing_lines(content["signing"])}
    return frame(content, "THÔNG BÁO", [subject], body, signature)


def conclusion_docx(content: dict) -> bytes:
    from .layout import render

    return render(content)
