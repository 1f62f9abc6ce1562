"""Renders a document's layout (``layout.py``) as a Word file with the office's profile: the header, the type and
subject with its rule, the blocks (a wide table on a landscape page of its own), the signing block and recipients,
the annex. The page furniture and the XML python-docx lacks are in ``docx_writer``."""

from __future__ import annotations

from datetime import datetime

from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from .docx_writer import Writer


def _header(w: Writer, header: dict) -> None:
    p = w.p
    table = w.fixed_table(2, [72, 93])
    left_top, right_top = table.rows[0].cells
    left_bottom, right_bottom = table.rows[1].cells
    first = True
    if header.get("superior"):
        w.cell_line(left_top, header["superior"], p["size_superior"], first=True)
        first = False
    w.cell_line(left_top, header["issuer"], p["size_issuer"], first=first, bold=True)
    w.cell_line(left_top, "*", p["size_issuer"])
    w.cell_line(right_top, "ĐẢNG CỘNG SẢN VIỆT NAM", p["size_party"], first=True, bold=True, underline=True)
    w.cell_line(left_bottom, header["number"], p["size_number"], first=True)
    w.cell_line(right_bottom, header["place_date"], p["size_place_date"], first=True, italic=True)


def _title(w: Writer, type_name: str, subject_lines: list[str]) -> None:
    p = w.p
    para = w.paragraph(align="center", before=18, after=0, keep=True)
    w.run(para, type_name, p["size_type"], bold=True)
    for line in subject_lines:
        para = w.paragraph(align="center", after=0, keep=True)
        w.run(para, line, p["size_subject"], bold=True)
    _rule(w)


def _rule(w: Writer) -> None:
    """The short rule under the subject line: a bottom border on an empty paragraph indented to ~30 mm."""
    width = w.text_width_mm()
    rule = w.paragraph(align="center", after=12)
    side = max(0.0, (width - 30) / 2)
    rule.paragraph_format.left_indent = Mm(side)
    rule.paragraph_format.right_indent = Mm(side)
    rule.paragraph_format.line_spacing = 1.0
    p_pr = rule._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.append(borders)
    w.run(rule, "", 6)


def _blocks(w: Writer, blocks: list[dict], landscape_now: list[bool], keep_orientation: bool = False) -> None:
    """Writes the blocks; a wide table gets a landscape section of its own (unless the whole run is landscape)."""
    p = w.p
    for block in blocks:
        kind = block["t"]
        wide = kind == "table" and bool(block.get("wide"))
        if not keep_orientation and wide != landscape_now[0]:
            w.landscape_section(wide)
            landscape_now[0] = wide
        if kind == "heading":
            para = w.paragraph(indent=True, before=6, keep=True)
            w.run(para, block["text"], p["size_body"], bold=True)
        elif kind == "para":
            lines = (block.get("text") or "").split("\n") or [""]
            for i, line in enumerate(lines):
                para = w.paragraph(align=block.get("align", "justify"), indent=block.get("indent", True))
                if i == 0 and block.get("label"):
                    w.run(para, block["label"], p["size_body"], bold=True)
                w.run(para, line, p["size_body"], italic=block.get("italic", False))
        elif kind == "center":
            para = w.paragraph(align="center", after=0, keep=True)
            w.run(para, block["text"], block.get("size") or p["size_subject"], bold=block.get("bold", True))
        elif kind == "table":
            w.data_table(block, landscape_now[0])
            w.paragraph(after=0)
        elif kind == "page_break":
            para = w.paragraph(after=0)
            para.add_run().add_break(WD_BREAK.PAGE)
        elif kind == "portrait" and landscape_now[0]:
            w.landscape_section(False)
            landscape_now[0] = False


def _signing(w: Writer, signature: dict, recipients: list[str]) -> None:
    p = w.p
    if signature["style"] == "pair":
        table = w.fixed_table(1, [82, 83])
        for cell, lines in zip(table.rows[0].cells, (signature["left"], signature["right"]), strict=True):
            _signature_lines(w, cell, lines)
        if recipients:
            para = w.paragraph(align="left", before=12, after=0)
            w.run(para, "Nơi nhận:", p["size_recipients_label"], bold=True, underline=True)
            for line in recipients:
                para = w.paragraph(align="left", after=0)
                para.paragraph_format.line_spacing = 1.0
                w.run(para, line, p["size_recipients"])
        return
    table = w.fixed_table(1, [80, 85])
    left, right = table.rows[0].cells
    if recipients:
        w.cell_line(left, "Nơi nhận:", p["size_recipients_label"], first=True, align="left", bold=True, underline=True)
        for line in recipients:
            w.cell_line(left, line, p["size_recipients"], align="left")
    _signature_lines(w, right, signature["right"])


def _signature_lines(w: Writer, cell, lines: list[dict]) -> None:
    first = True
    for line in lines:
        for _blank in range(line.get("space", 0)):
            w.cell_line(cell, "", w.p["size_signing"], first=first)
            first = False
        w.cell_line(
            cell,
            line["text"],
            w.p["size_signing"],
            first=first,
            bold=line.get("bold", False),
            italic=line.get("italic", False),
        )
        first = False


def render_docx(layout: dict, profile: dict, when: datetime | None = None) -> bytes:
    """The Word file of ``layout`` with ``profile``'s figures."""
    w = Writer(profile)
    w.page_numbers_and_draft(bool(layout.get("draft")))
    _header(w, layout["header"])
    _title(w, layout["type"], layout["subject"])
    landscape_now = [False]
    _blocks(w, layout["body"], landscape_now)
    if landscape_now[0]:  # the signing block is on a portrait page
        w.landscape_section(False)
        landscape_now[0] = False
    _signing(w, layout["signature"], layout.get("recipients") or [])
    annex = layout.get("annex")
    if annex:
        if layout.get("annex_landscape"):
            w.landscape_section(True)  # the section break starts the page
            landscape_now[0] = True
            annex = [{**b, "wide": True} if b["t"] == "table" else b for b in annex]
        else:
            para = w.paragraph(after=0)
            para.add_run().add_break(WD_BREAK.PAGE)
        _blocks(w, annex, landscape_now, keep_orientation=bool(layout.get("annex_landscape")))
    w.properties(layout.get("properties", {}), when)
    return w.to_bytes()
