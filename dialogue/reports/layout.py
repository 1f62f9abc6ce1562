"""A document's layout: what the Word file and the printable page both show, built once from the document's
content (the record with the draft laid over it, or a published version's frozen content).

A layout is a plain dict: ``header`` (superior body, issuing body, number, place and date), ``type`` and
``subject`` lines, ``body`` blocks (headings, paragraphs, tables), ``signature`` and ``recipients``, an optional
``annex``, ``properties`` for the file and ``draft``. Blocks: ``{"t": "heading", "text"}``, ``{"t": "para",
"label"?, "text", "italic"?, "indent"?}``, ``{"t": "center", "text"}``, ``{"t": "table", "columns": [{"title",
"width", "numeric"}], "rows", "wide"?}``.
"""

from __future__ import annotations

from datetime import datetime

from .register import blank_symbol

SIGNING_MODES: dict[str, str] = {"tm": "T/M", "kt": "K/T", "tl": "T/L"}
DEFAULT_TITLES: dict[str, str] = {"tm": "BÍ THƯ", "kt": "PHÓ BÍ THƯ", "tl": "CHÁNH VĂN PHÒNG"}
HEAD_TITLE = "BÍ THƯ"
SIGNATURE_SPACE = 4  # blank lines left for the signature and the seal


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def symbol_text(content: dict) -> str:
    """ "05-TB/HU" once published; a draft leaves the number blank but keeps the type and symbol."""
    number = content.get("number")
    if number:
        return number["symbol"]
    return blank_symbol(content["doc_type"], content["issuer"]["symbol"])


def number_line(content: dict) -> str:
    return f"Số {symbol_text(content)}"


def header_of(content: dict) -> dict:
    issuer = content["issuer"]
    return {
        "superior": issuer.get("superior") or "",
        "issuer": issuer["issuer"],
        "number": number_line(content),
        "place_date": content["date_line"],
    }


def signing_lines(signing: dict) -> list[dict]:
    """T/M (the head for the collective), K/T (a deputy for the head) or T/L (by delegation), the title, the name."""
    mode = signing.get("mode") or "tm"
    collective = signing.get("collective") or ""
    title = signing.get("title") or DEFAULT_TITLES[mode]
    lines = [{"text": f"{SIGNING_MODES[mode]} {collective}".strip(), "bold": True}]
    if mode == "kt":
        lines.append({"text": f"K/T {HEAD_TITLE}", "bold": True})
        lines[0]["text"] = f"T/M {collective}".strip()
    lines.append({"text": title, "bold": True})
    lines.append({"text": signing.get("signer") or "", "bold": True, "space": SIGNATURE_SPACE})
    return lines


def recipient_lines(items: list[str]) -> list[str]:
    """ "- Ban Thường vụ Tỉnh ủy (b/c)," … "- Lưu Văn phòng Huyện ủy." """
    clean = [item.strip().lstrip("-–•").strip().rstrip(",;.").strip() for item in items]
    clean = [item for item in clean if item]
    return [f"- {item}," for item in clean[:-1]] + ([f"- {clean[-1]}."] if clean else [])


def properties_of(content: dict, type_name: str, subject: str) -> dict:
    issuer = content["issuer"]
    symbol = content["number"]["symbol"] if content.get("number") else ""
    title = f"{type_name.capitalize()} {symbol}".strip() + f" — {subject}"
    return {
        "title": title,
        "subject": subject,
        "author": issuer["name"],
        "category": type_name.capitalize(),
        "keywords": ", ".join(k for k in (issuer["name"], symbol, content.get("term") or "") if k),
    }


def frame(content: dict, type_name: str, subject_lines: list[str], body: list[dict], signature: dict) -> dict:
    return {
        "kind": content["kind"],
        "draft": not content.get("version"),
        "header": header_of(content),
        "type": type_name,
        "subject": subject_lines,
        "body": body,
        "signature": signature,
        "recipients": recipient_lines(content.get("recipients") or []),
        "annex": None,
        "properties": properties_of(content, type_name, " ".join(subject_lines)),
    }


def compose(content: dict) -> dict:
    """The layout of any kind of document."""
    kind = content["kind"]
    if kind == "minutes":
        from .docx_minutes import minutes_layout

        return minutes_layout(content)
    if kind == "conclusion":
        from .docx_conclusion import conclusion_layout

        return conclusion_layout(content)
    from .docx_period import report_layout

    return report_layout(content)


def render(content: dict) -> bytes:
    """The Word file of a document's content, with the profile frozen in it."""
    from .docx_base import render_docx

    when = datetime.fromisoformat(content["published_at"]) if content.get("published_at") else None
    return render_docx(compose(content), content["profile"], when)
