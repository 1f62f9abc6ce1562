"""Renders Word files as LibreOffice does (headless ``soffice``, its own profile per run, so runs in parallel never
share one) and reads the PDF back with ``pdftotext -layout``: what a printed document really shows, page by page.
Also the checks of DOMAIN.md's format rules that every document kind must pass."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm

SOFFICE = "soffice"


@dataclass
class Rendered:
    pages: list[str]  # the text of each page, as laid out

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    @property
    def page_count(self) -> int:
        return len(self.pages)


def render_pdfs(files: dict[str, bytes]) -> dict[str, Rendered]:
    """Every file converted by one soffice run (with a profile of its own) and read back page by page."""
    with tempfile.TemporaryDirectory(prefix="docs14-render-") as tmp:
        folder = Path(tmp)
        paths = []
        for name, data in files.items():
            path = folder / f"{name}.docx"
            path.write_bytes(data)
            paths.append(str(path))
        profile = folder / "lo-profile"
        subprocess.run(
            [
                SOFFICE,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder / "pdf"),
                *paths,
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        out = {}
        for name in files:
            pdf = folder / "pdf" / f"{name}.pdf"
            assert pdf.exists(), f"LibreOffice did not render {name}"
            text = subprocess.run(
                ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
            ).stdout
            pages = text.split("\f")
            if pages and not pages[-1].strip():
                pages = pages[:-1]
            info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
            count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
            assert count == len(pages), (name, count, len(pages))
            out[name] = Rendered(pages)
        return out


def lines(page: str) -> list[str]:
    return [" ".join(line.split()) for line in page.splitlines() if line.strip()]


# The rules -----------------------------------------------------------------------------------------------------

DATE_LINE = re.compile(r"ngày (\d{2}) tháng (\d{1,2}) năm (\d{4})")


def _sizes(paragraph) -> set[float]:
    return {run.font.size.pt for run in paragraph.runs if run.text.strip() and run.font.size is not None}


def _find(doc, text: str):
    """The first paragraph (body or table cell) whose text is ``text``."""
    for p in doc.paragraphs:
        if p.text.strip() == text:
            return p
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    if p.text.strip() == text:
                        return p
    raise AssertionError(f"no paragraph {text!r}")


def check_format(data: bytes, *, type_name: str, superior: str, issuer: str) -> None:
    """python-docx reads back the format rules: A4, margins, Times New Roman, sizes, bold and underline, the rule
    under the subject, justified body, Vietnamese proofing language, and the file's properties."""
    doc = Document(BytesIO(data))
    first = doc.sections[0]
    assert abs(first.page_width - Mm(210)) < Mm(1) and abs(first.page_height - Mm(297)) < Mm(1)
    for section in doc.sections:
        margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
        assert [round(m.mm) for m in margins] == [20, 20, 30, 15]
        if section.orientation == WD_ORIENT.LANDSCAPE:
            assert round(section.page_width.mm) == 297
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
    for p in doc.paragraphs:
        for run in p.runs:
            assert run.font.name in (None, "Times New Roman"), run.font.name
    party = _find(doc, "ĐẢNG CỘNG SẢN VIỆT NAM")
    assert _sizes(party) == {15.0} and all(r.bold and r.underline for r in party.runs)
    if superior:
        assert _sizes(_find(doc, superior)) == {14.0}
    issuer_p = _find(doc, issuer)
    assert _sizes(issuer_p) == {14.0} and all(r.bold for r in issuer_p.runs)
    date_p = next(p for t in doc.tables[:1] for c in t.rows[1].cells for p in c.paragraphs if DATE_LINE.search(p.text))
    assert _sizes(date_p) == {14.0} and all(r.italic for r in date_p.runs)
    type_p = _find(doc, type_name)
    assert 15 <= min(_sizes(type_p)) <= 16 and all(r.bold for r in type_p.runs)
    paragraphs = doc.paragraphs
    index = [q._p for q in paragraphs].index(type_p._p)
    subject = paragraphs[index + 1]
    assert 14 <= min(_sizes(subject)) <= 15 and all(r.bold for r in subject.runs)
    rule = next(
        p
        for p in doc.paragraphs[index + 1 : index + 5]
        if p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None
    )
    assert rule.text == ""
    body = [p for p in doc.paragraphs[index + 3 :] if p.text.strip() and p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY]
    assert body and all(_sizes(p) <= {14.0, 15.0} and _sizes(p) for p in body)
    styles_xml = doc.styles.element.xml
    assert 'w:val="vi-VN"' in styles_xml and "en-US" not in styles_xml
    props = doc.core_properties
    assert props.language == "vi-VN"
    assert "python-docx" not in f"{props.author} {props.comments} {props.title} {props.last_modified_by}"
    assert props.author.upper() == issuer
    assert type_name.capitalize() in props.title


def check_rendered(rendered: Rendered, *, superior: str, issuer: str, number: str, draft: bool, signing: list[str]):
    """What the printed pages show: the header lines, the number, the date with its zeros, page numbers from page
    2, "DỰ THẢO" on every page of a draft (never on a published one), the signing block and "Nơi nhận"."""
    first = lines(rendered.pages[0])
    head = "\n".join(first[:8])
    if superior:
        assert superior in head, head
    assert issuer in head and "ĐẢNG CỘNG SẢN VIỆT NAM" in head and "*" in first[:8], head
    assert re.search(number, head), (number, head)
    day, month, _year = DATE_LINE.search(head).groups()
    assert len(day) == 2 and month == (f"{int(month):02d}" if int(month) <= 2 else str(int(month))), head
    assert not re.fullmatch(r"\d+", first[0]), "no page number on the first page"
    for index, page in enumerate(rendered.pages[1:], start=2):
        top = lines(page)[:2]
        assert str(index) in top, (index, top)
    for page in rendered.pages:
        assert ("DỰ THẢO" in page) == draft
    text = rendered.text
    assert "Nơi nhận:" in text and "- Lưu Văn phòng" in text
    assert "(Ký, ghi rõ họ tên)" not in text
    for line in signing:
        assert line in text, line
