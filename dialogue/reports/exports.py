"""A statistics table as CSV (UTF-8 with BOM, so Excel shows Vietnamese right) or XLSX, and SVG bar charts drawn
on the server (no script, no asset from the internet)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from markupsafe import Markup, escape

from ..core.spreadsheet import csv_row, xlsx_row

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def table_csv(table: dict) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_row(table["headers"]))
    writer.writerows(csv_row(row) for row in table["rows"])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(table: dict, heading: str | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = table["key"][:31]
    if heading:
        sheet.append(xlsx_row(sheet, [heading]))
        sheet["A1"].font = Font(bold=True)
    sheet.append(xlsx_row(sheet, table["headers"]))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in table["rows"]:
        sheet.append(xlsx_row(sheet, row))
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bar_chart(items: Sequence[tuple[str, float | int]], title: str, *, unit: str = "") -> Markup:
    """A horizontal bar chart as inline SVG; scales to the page width (viewBox), readable on a phone."""
    items = list(items)
    row_h, label_w, bar_w, pad = 26, 168, 142, 6
    height = pad * 2 + 24 + row_h * max(1, len(items))
    width = label_w + bar_w + 50
    peak = max((float(v) for _k, v in items), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{pad}" y="{pad + 14}" font-weight="700" font-size="13">{escape(title)}</text>',
    ]
    if not items:
        parts.append(f'<text x="{pad}" y="{pad + 44}" font-size="13" fill="#5f6368">—</text>')
    for i, (name, value) in enumerate(items):
        y = pad + 24 + i * row_h
        length = 0 if not value else max(2, round(bar_w * float(value) / peak))
        short = name if len(name) <= 26 else name[:25] + "…"
        shown = (f"{value:.1f}".replace(".", ",") if isinstance(value, float) else str(value)) + unit
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" font-size="11" text-anchor="end">'
            f"<title>{escape(name)}</title>{escape(short)}</text>"
            f'<rect x="{label_w}" y="{y + 5}" width="{length}" height="16" fill="#b71c1c" rx="2"/>'
            f'<text x="{label_w + length + 5}" y="{y + 17}" font-size="12">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
