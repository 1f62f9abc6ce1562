"""A statistics table as CSV (UTF-8 with BOM, so Excel shows Vietnamese right) or XLSX, and SVG bar charts drawn
on the server (no script, no asset from the internet).

XLSX keeps real types (whole numbers, rates, dates, durations as time) with Vietnamese-looking formats, wraps
text, and prints: landscape, fitted to the page width, the header row repeated on every page. Text typed by
people can never become a formula (a cell is text, and in CSV a leading = + - @ is quoted away)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape

from ..core.spreadsheet import csv_cell, csv_row, xlsx_row, xml_text
from .stats_tables import cell_value, format_cell

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NUMBER_FORMATS = {"int": "#,##0", "rate": "0.0", "duration": "[h]:mm:ss", "date": "dd/mm/yyyy"}


def _csv_cell(value, kind: str) -> str:
    value, kind = cell_value(value, kind)
    if kind == "int" and value is not None:
        return str(value)
    return csv_cell(format_cell(value, kind))


def table_csv(table: dict) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_row(table["headers"]))
    kinds = [c["type"] for c in table["columns"]]
    for row in table["rows"]:
        writer.writerow([_csv_cell(v, k) for v, k in zip(row, kinds, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(cell, value, kind: str) -> None:
    value, kind = cell_value(value, kind)
    if value is None:
        cell.value = "—" if kind == "rate" else None
        return
    if kind == "duration":
        cell.value = timedelta(seconds=int(value))
    elif kind in ("int", "rate") or (kind == "date" and isinstance(value, date)):
        cell.value = value
    else:
        cell.value = xml_text(str(value))
        cell.data_type = "s"  # text typed by people stays text, never a formula
        return
    cell.number_format = NUMBER_FORMATS[kind]


def table_xlsx(table: dict, heading: str | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.properties import PageSetupProperties

    book = Workbook()
    sheet = book.active
    sheet.title = table["key"][:31]
    columns = table["columns"]
    if heading:
        sheet.append(xlsx_row(sheet, [heading]))
        sheet["A1"].font = Font(bold=True)
    sheet.append(xlsx_row(sheet, table["headers"]))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in table["rows"]:
        excel_row = sheet.max_row + 1
        for index, (value, spec) in enumerate(zip(row, columns, strict=True), start=1):
            cell = sheet.cell(row=excel_row, column=index)
            _xlsx_cell(cell, value, spec["type"])
            cell.alignment = Alignment(
                wrap_text=True, vertical="top", horizontal="right" if spec["numeric"] else "left"
            )
    for index, spec in enumerate(columns, start=1):
        letter = sheet.cell(row=header_row, column=index).column_letter
        sheet.column_dimensions[letter].width = max(8, min(60, spec["width"] * 0.6))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.gridLines = True
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
        shown = format_cell(value, "rate" if isinstance(value, float) else "int") + unit
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" font-size="11" text-anchor="end">'
            f"<title>{escape(name)}</title>{escape(short)}</text>"
            f'<rect x="{label_w}" y="{y + 5}" width="{length}" height="16" fill="#b71c1c" rx="2"/>'
            f'<text x="{label_w + length + 5}" y="{y + 17}" font-size="12">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
