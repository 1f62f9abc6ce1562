"""The periodic report (báo cáo định kỳ) of dialogue sessions as a Word document with its tables."""

from __future__ import annotations

from . import docx_base as d
from .record import vietnamese_date_line


def period_docx(*, issuing_body: str, place: str, today, period_title: str, stats: dict, tables: list[dict]) -> bytes:
    doc = d.new_document()
    d.party_header(
        doc, issuing_body=issuing_body, number_line="Số       -BC", date_line=vietnamese_date_line(place, today)
    )
    d.title(doc, "BÁO CÁO", f"Kết quả tiếp xúc, đối thoại trực tiếp — {period_title.lower()}")
    rate = stats["on_time_rate"]
    d.paragraph(
        doc,
        f"Trong kỳ đã tổ chức {stats['session_count']} buổi tiếp xúc, đối thoại; mời {stats['invited']} đồng chí, "
        f"có mặt {stats['present']} đồng chí; tiếp nhận {stats['submissions']} câu hỏi, ý kiến, kiến nghị, đề xuất; "
        f"{stats['turns_done']} lượt phát biểu ({stats['turns_time']}); {stats['responses']} ý kiến trả lời; "
        f"giao {stats['commitments']} nhiệm vụ, {stats['overdue']} nhiệm vụ quá hạn"
        + (f"; tỷ lệ hoàn thành đúng hạn {str(rate).replace('.', ',')}%." if rate is not None else "."),
    )
    for index, table in enumerate(tables, start=1):
        d.heading(doc, f"{index}. {table['title']}")
        if table["rows"]:
            d.table(doc, table["headers"], table["rows"])
        else:
            d.paragraph(doc, "Không có số liệu.")
    return d.to_bytes(doc)
