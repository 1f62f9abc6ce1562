"""Files people attach (a submission's scan, a unit's report): stored under ``UPLOAD_DIR`` with a random name, their
type recognised by their first bytes, and kept in step with the transaction that mentions them.

A file is written before the commit (the row that names it is part of the transaction), so ``store`` arranges its
removal if the transaction ends without a commit: a refused or failed request leaves no orphan on disk. A file a
row stops naming (a replaced attachment) is removed only once that change is committed (``remove_after_commit``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..extensions import db
from .after_commit import after_commit, after_rollback
from .errors import Invalid, NotFound
from .inputs import file_name
from .text import nfc


@dataclass(frozen=True)
class FileKind:
    """A type of file accepted somewhere. ``signatures`` are the first bytes that identify it (none: plain text,
    recognised as UTF-8 without NUL bytes); ``extensions`` are the names it may carry, the first one is stored."""

    mime: str
    extensions: tuple[str, ...]
    signatures: tuple[bytes, ...] = ()

    def matches(self, data: bytes) -> bool:
        if self.signatures:
            return any(data.startswith(magic) for magic in self.signatures)
        if b"\x00" in data:
            return False
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True


PDF = FileKind("application/pdf", ("pdf",), (b"%PDF-",))
PNG = FileKind("image/png", ("png",), (b"\x89PNG\r\n\x1a\n",))
JPEG = FileKind("image/jpeg", ("jpg", "jpeg"), (b"\xff\xd8\xff",))
# Word, Excel and OpenDocument files since 2007 are ZIP archives; the older ones are OLE compound files.
OFFICE = FileKind("application/zip", ("docx", "xlsx", "odt", "ods"), (b"PK\x03\x04",))
OFFICE_LEGACY = FileKind("application/x-ole-storage", ("doc", "xls"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",))
TEXT = FileKind("text/plain", ("txt",))
MIME_BY_EXTENSION = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}


@dataclass(frozen=True)
class Upload:
    """A file as received: its bytes and the name the sender gave it."""

    data: bytes
    filename: str | None = None

    @classmethod
    def from_storage(cls, storage: Any, max_bytes: int | None = None) -> Upload | None:
        """From a form's file field (werkzeug's ``FileStorage``); None when no file was chosen. Reads at most one
        byte more than ``max_bytes``, enough for ``store`` to refuse a file that is too big."""
        if storage is None or not getattr(storage, "filename", None):
            return None
        data = storage.read(-1 if max_bytes is None else max_bytes + 1)
        return cls(data=data, filename=storage.filename)


@dataclass(frozen=True)
class StoredFile:
    """``path`` is relative to ``UPLOAD_DIR`` (what a row keeps); ``name`` is the sender's, for downloading."""

    path: str
    name: str
    mime: str
    size: int


def _extension(filename: str | None) -> str:
    return Path(filename or "").suffix.lower().lstrip(".")


def identify(upload: Upload, kinds: Sequence[FileKind], *, by_name: bool = False) -> tuple[FileKind, str] | None:
    """The accepted kind of ``upload`` and the extension to store it under, from its first bytes. With ``by_name``
    the name the sender gave must also be one of that kind's (a report named ``.exe`` is refused, whatever it
    holds); without it the name is ignored."""
    ext = _extension(upload.filename)
    for kind in kinds:
        if not kind.matches(upload.data):
            continue
        if ext in kind.extensions:
            return kind, ext
        if by_name or not kind.signatures:  # plain text has no signature of its own: its name must say it
            continue
        return kind, kind.extensions[0]
    return None


def store(
    upload: Upload,
    folder: str,
    kinds: Sequence[FileKind],
    *,
    max_bytes: int,
    refusal: Any,
    by_name: bool = False,
    field: str = "attachment",
) -> StoredFile:
    """Checks ``upload`` (not empty, at most ``max_bytes``, one of ``kinds`` by its first bytes: else ``Invalid``
    with ``refusal`` on ``field``), writes it to ``UPLOAD_DIR/folder`` under a random name, and removes it again
    if the transaction ends without a commit."""
    if not upload.data:
        raise Invalid(_l("Tệp đính kèm rỗng."), fields={field: [str(_l("Tệp rỗng."))]})
    if len(upload.data) > max_bytes:
        megabytes = max_bytes // (1024 * 1024)
        raise Invalid(
            _l("Tệp đính kèm quá lớn (tối đa %(n)s MB).", n=megabytes),
            fields={field: [str(_l("Tối đa %(n)s MB.", n=megabytes))]},
        )
    found = identify(upload, kinds, by_name=by_name)
    if found is None:
        raise Invalid(refusal, fields={field: [str(_l("Loại tệp không được nhận."))]})
    kind, ext = found
    directory = Path(current_app.config["UPLOAD_DIR"]) / folder
    directory.mkdir(parents=True, exist_ok=True)
    relative = f"{folder}/{uuid.uuid4().hex}.{ext}"
    written = directory / Path(relative).name
    db.session.connection()  # the transaction is begun now, so that its rollback is seen even if nothing else ran
    written.write_bytes(upload.data)
    after_rollback(lambda: written.unlink(missing_ok=True))
    name = (nfc(os.path.basename(file_name(upload.filename or ""))) or f"tep-dinh-kem.{ext}")[:300]
    mime = MIME_BY_EXTENSION.get(ext, kind.mime)
    return StoredFile(path=relative, name=name, mime=mime, size=len(upload.data))


def path_of(relative: str) -> Path:
    """The file a row names, refusing any name that would lead outside ``UPLOAD_DIR``."""
    root = Path(current_app.config["UPLOAD_DIR"]).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise NotFound(_l("Không tìm thấy tệp."))
    return path


def remove_after_commit(relative: str | None) -> None:
    """A row no longer names this file: it goes once that change is committed (kept if it is rolled back)."""
    if not relative:
        return
    path = path_of(relative)
    after_commit(lambda: path.unlink(missing_ok=True))
