"""The Word file being written with the office's profile: A4, the profile's margins, font and sizes, page numbers
from page 2,
"DỰ THẢO" on every page of a draft, wide tables in landscape sections, tables whose widths are in the grid (so
LibreOffice keeps them) with repeated header rows and right-aligned numbers, Vietnamese as the proofing language,
and properties that name the document and its issuing body.

python-docx has no API for page numbers, header rows or the proofing language; those are written into the XML.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..core.spreadsheet import xml_text

LANGUAGE = "vi-VN"
A4 = (210, 297)
TWIPS_PER_MM = 1440 / 25.4
ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


class Writer:
    """One document being written with one profile."""

    def __init__(self, profile: dict):
        self.p = profile
        self.doc: DocxDocument = Document()
        self.font = profile["font"]
        self._setup()

    # Setup -------------------------------------------------------------------------------------------------

    def _setup(self) -> None:
        section = self.doc.sections[0]
        self._page(section, landscape=False)
        styles = self.doc.styles
        rpr_default = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        self._fonts(rpr_default)
        self._language(rpr_default)
        for name in ("Normal", "Table Grid", "Header", "Footer"):
            try:
                style = styles[name]
            except KeyError:
                continue
            style.font.name = self.font
            style.font.size = Pt(self.p["size_body"])
            rpr = style.element.get_or_add_rPr()
            self._fonts(rpr)
            self._language(rpr)
        normal = styles["Normal"].paragraph_format
        normal.space_after = Pt(self.p["space_after_pt"])
        normal.line_spacing = float(self.p["line_spacing"])
        settings = self.doc.settings.element
        theme_lang = settings.find(qn("w:themeFontLang"))
        if theme_lang is not None:
            theme_lang.set(qn("w:val"), LANGUAGE)
        for part in self.doc.part.package.iter_parts():
            if str(part.partname) == "/word/stylesWithEffects.xml":
                part._blob = part.blob.replace(b'w:val="en-US"', f'w:val="{LANGUAGE}"'.encode())

    def _fonts(self, rpr) -> None:
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), self.font)

    @staticmethod
    def _language(rpr) -> None:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), LANGUAGE)
        lang.set(qn("w:eastAsia"), LANGUAGE)

    def _page(self, section, *, landscape: bool) -> None:
        width, height = A4
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            width, height = height, width
        else:
            section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(width), Mm(height)
        section.top_margin = Mm(self.p["margin_top_mm"])
        section.bottom_margin = Mm(self.p["margin_bottom_mm"])
        section.left_margin = Mm(self.p["margin_left_mm"])
        section.right_margin = Mm(self.p["margin_right_mm"])
        section.header_distance = section.footer_distance = Mm(10)

    def text_width_mm(self, landscape: bool = False) -> float:
        width = A4[1] if landscape else A4[0]
        return width - self.p["margin_left_mm"] - self.p["margin_right_mm"]

    # Runs and paragraphs -----------------------------------------------------------------------------------

    def run(self, paragraph, text: str, size: float, *, bold=False, italic=False, underline=False):
        run = paragraph.add_run(xml_text(text))  # text stored before input was checked may hold Word's \v
        run.bold, run.italic, run.underline = bold, italic, underline
        run.font.name = self.font
        run.font.size = Pt(size)
        self._fonts(run._element.get_or_add_rPr())
        return run

    def paragraph(self, container=None, *, align="justify", indent=False, after=None, before=None, keep=False):
        target = container if container is not None else self.doc
        p = target.add_paragraph()
        p.alignment = ALIGN[align]
        fmt = p.paragraph_format
        if indent:
            fmt.first_line_indent = Mm(self.p["first_line_indent_mm"])
        if after is not None:
            fmt.space_after = Pt(after)
        if before is not None:
            fmt.space_before = Pt(before)
        if keep:
            fmt.keep_with_next = True
        return p

    def cell_line(self, cell, text: str, size: float, *, first=False, align="center", **style) -> None:
        p = cell.paragraphs[0] if first else cell.add_paragraph()
        p.alignment = ALIGN[align]
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing = 1.0
        if text:
            self.run(p, text, size, **style)

    # Tables ------------------------------------------------------------------------------------------------

    def fixed_table(self, rows: int, widths_mm: list[float], *, style: str | None = None, landscape=False):
        """A table whose column widths are in its grid, its cells and its layout (fixed), scaled to the text width."""
        total = sum(widths_mm)
        available = self.text_width_mm(landscape)
        scaled = [w * available / total for w in widths_mm] if total > available + 0.5 else list(widths_mm)
        table = self.doc.add_table(rows=rows, cols=len(widths_mm))
        if style:
            table.style = self.doc.styles[style]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tbl = table._tbl
        tbl_pr = tbl.tblPr
        tbl_w = tbl_pr.find(qn("w:tblW"))
        if tbl_w is None:
            tbl_w = OxmlElement("w:tblW")
            tbl_pr.append(tbl_w)
        tbl_w.set(qn("w:w"), str(round(sum(scaled) * TWIPS_PER_MM)))
        tbl_w.set(qn("w:type"), "dxa")
        for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), scaled, strict=True):
            col.set(qn("w:w"), str(round(width * TWIPS_PER_MM)))
        for row in table.rows:
            for cell, width in zip(row.cells, scaled, strict=True):
                cell.width = Mm(width)
        return table

    @staticmethod
    def repeat_header(row) -> None:
        tr_pr = row._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        tr_pr.append(header)
        cant_split = OxmlElement("w:cantSplit")
        tr_pr.append(cant_split)

    def data_table(self, block: dict, landscape: bool) -> None:
        columns = block["columns"]
        rows = block["rows"]
        size = self.p["size_wide_table"] if block.get("wide") else self.p["size_table"]
        table = self.fixed_table(1 + len(rows), [c["width"] for c in columns], style="Table Grid", landscape=landscape)
        self.repeat_header(table.rows[0])
        for i, column in enumerate(columns):
            self.cell_line(table.rows[0].cells[i], column["title"], size, first=True, bold=True)
        for r, row in enumerate(rows, start=1):
            tr_pr = table.rows[r]._tr.get_or_add_trPr()
            tr_pr.append(OxmlElement("w:cantSplit"))
            for i, value in enumerate(row):
                align = "right" if columns[i].get("numeric") else "left"
                self.cell_line(
                    table.rows[r].cells[i], "" if value is None else str(value), size, first=True, align=align
                )

    # Page furniture ----------------------------------------------------------------------------------------

    def page_numbers_and_draft(self, draft: bool) -> None:
        """Page numbers from page 2 (the first page has its own, empty header and footer); "DỰ THẢO" on every page
        of a draft."""
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        on_top = self.p["page_number_position"] == "header"
        numbered = section.header if on_top else section.footer
        p = numbered.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run = self.run(p, "", self.p["size_page_number"])
        run_element = run._element
        text = OxmlElement("w:t")
        text.text = "2"
        run_element.append(text)
        p._p.remove(run_element)
        field.append(run_element)
        p._p.append(field)
        first_header, first_footer = section.first_page_header, section.first_page_footer  # defined, empty
        if draft:
            self._draft_mark(first_header.paragraphs[0])
            self._draft_mark(section.header.add_paragraph() if on_top else section.header.paragraphs[0])
        first_footer.paragraphs[0].text = ""

    def _draft_mark(self, paragraph) -> None:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.run(paragraph, "DỰ THẢO", self.p["size_body"], bold=True)

    def landscape_section(self, landscape: bool) -> None:
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        self._page(section, landscape=landscape)
        section.different_first_page_header_footer = False  # numbered like any page after the first

    # Properties --------------------------------------------------------------------------------------------

    def properties(self, props: dict, when: datetime | None) -> None:
        stamp = (when or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
        cp = self.doc.core_properties
        cp.title = props.get("title", "")
        cp.subject = props.get("subject", "")
        cp.author = props.get("author", "")
        cp.last_modified_by = props.get("author", "")
        cp.category = props.get("category", "")
        cp.keywords = props.get("keywords", "")
        cp.comments = ""
        cp.language = LANGUAGE
        cp.created = cp.modified = stamp
        cp.revision = 1
        package = self.doc.part.package
        for r_id, rel in list(package.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del package.rels[r_id]
        for part in package.iter_parts():
            if str(part.partname) == "/docProps/app.xml":
                part._blob = _app_xml(props.get("author", ""), props.get("title", ""))

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def _app_xml(company: str, title: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>Đối thoại</Application><Company>{escape(company)}</Company>"
        f'<TitlesOfParts><vt:vector size="1" baseType="lpstr"><vt:lpstr>{escape(title)}</vt:lpstr></vt:vector>'
        "</TitlesOfParts></Properties>"
    ).encode()
