"""Vietnamese text: stored as NFC, searched folded (no marks, đ→d, lower case)."""

from __future__ import annotations

import unicodedata


def nfc(value: str | None) -> str | None:
    """Phones send composed and decomposed forms; store one."""
    if value is None:
        return None
    return unicodedata.normalize("NFC", value).strip()


def fold(value: str | None) -> str:
    """A form of the text in which "kiem tra", "KIỂM TRA" and "kiểm tra" are equal.

    ``đ`` has no decomposition, so it is replaced after the marks are dropped.
    """
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return " ".join(stripped.lower().split())


def search_blob(*parts: str | None) -> str:
    """The folded shadow column written beside searchable text."""
    return " ".join(fold(p) for p in parts if p)


def like_pattern(query: str) -> str:
    """A LIKE pattern for a folded query, with LIKE's wildcards escaped (escape char ``\\``)."""
    folded = fold(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{folded}%"
