"""The tables of a statistics page, typed: each column says what its values are (text, a whole number, a date,
a duration in seconds, a rate in percent) and how wide it prints. The page, the Word report, CSV and XLSX all
start from these rows: the page and the report show Vietnamese numbers (1.234; 100,0), XLSX keeps real numbers
and dates."""

from __future__ import annotations

from datetime import date

from babel.numbers import format_decimal

from ..core.labels import label
from .record import format_duration

NUMERIC_TYPES = ("int", "rate", "duration", "mixed")


def typed(value, kind: str) -> dict:
    """A cell that carries its own type (in a column of mixed figures)."""
    return {"v": value, "type": kind}


def cell_value(value, kind: str) -> tuple[object, str]:
    """The raw value and the type of a cell: its own, or its column's (a whole number in a mixed column)."""
    if isinstance(value, dict) and "type" in value:
        return value["v"], value["type"]
    if kind == "mixed":
        return value, "rate" if isinstance(value, float) else "int" if isinstance(value, int) else "text"
    return value, kind


def column(title: str, kind: str = "text", width: float = 20) -> dict:
    return {"title": title, "type": kind, "width": width, "numeric": kind in NUMERIC_TYPES}


def format_number(value: int | float) -> str:
    return format_decimal(value, locale="vi")


def format_cell(value, kind: str) -> str:
    """A value as the page and the Word report print it."""
    value, kind = cell_value(value, kind)
    if value is None:
        return "—" if kind == "rate" else ""
    if kind == "int":
        return format_number(value)
    if kind == "rate":
        return format_decimal(value, format="0.0", locale="vi")
    if kind == "duration":
        return format_duration(int(value))
    if kind == "date" and isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def formatted_rows(table: dict) -> list[list[str]]:
    kinds = [c["type"] for c in table["columns"]]
    return [[format_cell(v, k) for v, k in zip(row, kinds, strict=True)] for row in table["rows"]]


def _table(key: str, title: str, columns: list[dict], rows: list[list], *, wide: bool = False) -> dict:
    return {
        "key": key,
        "title": title,
        "columns": columns,
        "headers": [c["title"] for c in columns],
        "rows": rows,
        "wide": wide,
    }


def tables(stats: dict, *, with_sessions: bool = True) -> list[dict]:
    """Every table of a statistics page: what the page, the exports and the period report show (the report builds
    them under ``force_locale("vi")``: a document is Vietnamese whatever its reader's language)."""
    out = []
    if with_sessions:
        out.append(
            _table(
                "sessions",
                "Các buổi đối thoại",
                [
                    column("Buổi đối thoại", width=48),
                    column("Ngày", "date", 25),
                    column("Đơn vị chủ trì", width=36),
                    column("Được mời", "int", 15),
                    column("Có mặt", "int", 15),
                    column("Câu hỏi, ý kiến", "int", 16),
                    column("Lượt phát biểu", "int", 16),
                    column("Thời gian", "duration", 19),
                    column("Trả lời", "int", 15),
                    column("Nhiệm vụ", "int", 15),
                    column("Hoàn thành", "int", 16),
                    column("Quá hạn", "int", 15),
                ],
                [
                    [
                        r["title"],
                        r["date"],
                        r["host_unit"],
                        r["invited"],
                        r["present"],
                        r["submissions"],
                        r["turns"],
                        r["turn_seconds"],
                        r["responses"],
                        r["commitments"],
                        r["done"],
                        r["overdue"],
                    ]
                    for r in stats["sessions"]
                ],
                wide=True,
            )
        )
    count = [column("Số lượng", "int", 35)]
    out += [
        _table(
            "summary",
            "Số liệu chung",
            [column("Chỉ tiêu", width=120), column("Số liệu", "mixed", 45)],
            [
                ["Số buổi đối thoại", stats["session_count"]],
                ["Được mời", stats["invited"]],
                ["Có mặt", stats["present"]],
                ["Vắng mặt", stats["absent"]],
                ["Tỷ lệ có mặt (%)", typed(stats["attendance_rate"], "rate")],
                ["Câu hỏi, ý kiến, kiến nghị, đề xuất", stats["submissions"]],
                ["Lượt phát biểu", stats["turns_done"]],
                ["Thời gian phát biểu", typed(stats["turns_seconds"], "duration")],
                ["Trả lời", stats["responses"]],
                ["Nhiệm vụ được giao", stats["commitments"]],
                ["Quá hạn", stats["overdue"]],
                ["Tỷ lệ hoàn thành đúng hạn (%)", typed(stats["on_time_rate"], "rate")],
            ],
        ),
        _table(
            "submissions_by_kind",
            "Câu hỏi, ý kiến theo loại",
            [column("Loại", width=130), *count],
            [[label("question_kind", k), v] for k, v in stats["submissions_by_kind"].items()],
        ),
        _table(
            "submissions_by_topic",
            "Câu hỏi, ý kiến theo chủ đề",
            [column("Chủ đề", width=130), *count],
            [[k, v] for k, v in stats["submissions_by_topic"]],
        ),
        _table(
            "submissions_by_unit",
            "Câu hỏi, ý kiến theo đơn vị",
            [column("Đơn vị", width=130), *count],
            [[k, v] for k, v in stats["submissions_by_unit"]],
        ),
        _table(
            "responses_by_kind",
            "Trả lời theo hình thức",
            [column("Hình thức", width=130), *count],
            [[label("response_kind", k), v] for k, v in stats["responses_by_kind"].items()],
        ),
        _table(
            "commitments_by_status",
            "Nhiệm vụ theo tình trạng",
            [column("Tình trạng", width=130), *count],
            [[label("commitment_status", k), v] for k, v in stats["commitments_by_status"].items()]
            + [["Quá hạn (đang mở, đã qua thời hạn)", stats["overdue"]]],
        ),
        _table(
            "unit_ranking",
            "Xếp hạng đơn vị theo tỷ lệ hoàn thành đúng hạn",
            [
                column("Hạng", "int", 15),
                column("Đơn vị", width=50),
                column("Nhiệm vụ", "int", 19),
                column("Đã hoàn thành", "int", 21),
                column("Đúng hạn", "int", 19),
                column("Quá hạn", "int", 19),
                column("Tỷ lệ đúng hạn (%)", "rate", 22),
            ],
            [
                [i, r["unit"], r["total"], r["done"], r["on_time"], r["overdue"], r["on_time_rate"]]
                for i, r in enumerate(stats["unit_ranking"], start=1)
            ],
        ),
    ]
    return out
