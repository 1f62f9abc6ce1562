"""What every Word document of the office shares: A4, Times New Roman 13 pt, and the Party document header
(issuing body and number at the left, "ĐẢNG CỘNG SẢN VIỆT NAM" and the place and date at the right)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..core.spreadsheet import xml_text

FONT = "Times New Roman"
SIZE = Pt(13)


def new_document() -> DocxDocument:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    for style_name in ("Normal", "Table Grid"):
        try:
            style = doc.styles[style_name]
        except KeyError:
            continue
        style.font.name = FONT
        style.font.size = SIZE
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
    normal = doc.styles["Normal"].paragraph_format
    normal.space_after = Pt(3)
    normal.line_spacing = 1.15
    return doc


def _run(paragraph, text: str, *, bold=False, italic=False, underline=False, size: Pt | None = None):
    run = paragraph.add_run(xml_text(text))  # text stored before input was checked may hold Word's \v
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    if size is not None:
        run.font.size = size
    return run


def _cell_line(cell, text: str, *, first: bool = False, **style) -> None:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    _run(paragraph, text, **style)


def party_header(doc: DocxDocument, *, issuing_body: str, number_line: str, date_line: str) -> None:
    """The two-column header of a Party document, in a borderless table."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    left, right = table.rows[0].cells
    left.width, right.width = Mm(75), Mm(90)
    _cell_line(left, issuing_body, first=True, bold=True)
    _cell_line(left, "*")
    _cell_line(left, number_line)
    _cell_line(right, "ĐẢNG CỘNG SẢN VIỆT NAM", first=True, bold=True, underline=True)
    _cell_line(right, "")
    _cell_line(right, date_line, italic=True)
    doc.add_paragraph()


def title(doc: DocxDocument, text: str, subtitle: str | None = None) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(0)
    _run(p, text, bold=True, size=Pt(14))
    if subtitle:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(p, subtitle, bold=True)
    doc.add_paragraph()


def heading(doc: DocxDocument, text: str) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.space_before = Pt(6)
    _run(p, text, bold=True)


def paragraph(doc: DocxDocument, text: str, *, label: str | None = None, italic: bool = False, indent: bool = True):
    """A justified paragraph per line of ``text``; ``label`` in bold before the first line."""
    lines = [line for line in (text or "").splitlines()] or [""]
    first = True
    for line in lines:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            p.paragraph_format.first_line_indent = Mm(10)
        if first and label:
            _run(p, label, bold=True)
        _run(p, line, italic=italic)
        first = False


def table(doc: DocxDocument, headers: Sequence[str], rows: Iterable[Sequence[object]], widths_mm=None) -> None:
    rows = list(rows)
    t = doc.add_table(rows=1 + len(rows), cols=len(headers))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, text in enumerate(headers):
        cell = t.rows[0].cells[i]
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(cell.paragraphs[0], str(text), bold=True)
    for r, row in enumerate(rows, start=1):
        for i, value in enumerate(row):
            _run(t.rows[r].cells[i].paragraphs[0], "" if value is None else str(value))
    if widths_mm:
        for row in t.rows:
            for i, width in enumerate(widths_mm):
                row.cells[i].width = Mm(width)
    doc.add_paragraph()


def signatures(doc: DocxDocument, left: tuple[str, ...], right: tuple[str, ...]) -> None:
    """Two signature blocks side by side (e.g. THƯ KÝ | CHỦ TRÌ); the first line of each in bold."""
    t = doc.add_table(rows=1, cols=2)
    for cell, lines in zip(t.rows[0].cells, (left, right), strict=True):
        for i, line in enumerate(lines):
            _cell_line(cell, line, first=i == 0, bold=i == 0 or i == len(lines) - 1)


def left_block(doc: DocxDocument, lines: Sequence[str], *, first_bold_italic: bool = True) -> None:
    for i, line in enumerate(lines):
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        _run(p, line, bold=i == 0 and first_bold_italic, italic=i == 0 and first_bold_italic, size=Pt(11))


def to_bytes(doc: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
