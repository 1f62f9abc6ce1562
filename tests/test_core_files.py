"""core.files: a file's type is told by its first bytes, it is stored under a random name, and it lives or goes
with the transaction that names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialogue.core import files
from dialogue.core.errors import Invalid, NotFound
from dialogue.core.uow import transaction

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"
DOCX = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 32
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
KINDS = (files.PDF, files.OFFICE, files.OFFICE_LEGACY, files.JPEG, files.PNG, files.TEXT)


def _store(upload: files.Upload, *, by_name: bool = True, max_bytes: int = 1024) -> files.StoredFile:
    return files.store(upload, "tests", KINDS, max_bytes=max_bytes, refusal="Loại tệp không nhận.", by_name=by_name)


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [
        (PDF, "Báo cáo.PDF", "application/pdf"),
        (DOCX, "ke-hoach.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (DOCX, "so-lieu.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (DOC, "cu.doc", "application/msword"),
        (PNG, "anh.png", "image/png"),
        ("Biên bản họp chi bộ\n".encode(), "bien-ban.txt", "text/plain"),
    ],
)
def test_accepted_types_are_told_by_their_first_bytes(app, data, name, mime):
    with transaction():
        stored = _store(files.Upload(data, name))
    assert stored.mime == mime and stored.size == len(data) and stored.name == name
    path = files.path_of(stored.path)
    assert path.read_bytes() == data and path.parent.name == "tests"
    assert Path(stored.path).stem != Path(name).stem and len(Path(stored.path).stem) == 32  # a random name


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (EXE, "bao-cao.pdf"),  # a program named like a report
        (PDF, "bao-cao.exe"),  # a report named like a program
        (PDF, "bao-cao.docx"),  # the name and the content disagree
        (b"\x00\x01binary", "ghi-chu.txt"),  # not text
        (b"plain words", "ghi-chu"),  # text without a name that says so
    ],
)
def test_other_files_are_refused_and_nothing_is_written(app, data, name):
    folder = Path(app.config["UPLOAD_DIR"]) / "tests"
    before = sorted(folder.iterdir()) if folder.exists() else []
    with pytest.raises(Invalid) as refused:
        _store(files.Upload(data, name))
    assert refused.value.fields == {"attachment": ["Loại tệp không được nhận."]}
    assert (sorted(folder.iterdir()) if folder.exists() else []) == before


def test_without_by_name_the_content_alone_decides_and_the_stored_name_follows_it(app):
    with transaction():
        stored = _store(files.Upload(PNG, "photo.jpg"), by_name=False)
    assert stored.path.endswith(".png") and stored.mime == "image/png"


def test_empty_and_too_large_files_are_refused(app):
    with pytest.raises(Invalid) as refused:
        _store(files.Upload(b"", "x.pdf"))
    assert refused.value.message == "Tệp đính kèm rỗng."
    with pytest.raises(Invalid) as refused:
        _store(files.Upload(PDF + b"x" * 3 * 1024 * 1024, "x.pdf"), max_bytes=2 * 1024 * 1024)
    assert refused.value.message == "Tệp đính kèm quá lớn (tối đa 2 MB)."


def test_a_stored_file_goes_with_a_rollback_and_stays_with_a_commit(app):
    with pytest.raises(RuntimeError), transaction():
        dropped = files.path_of(_store(files.Upload(PDF, "a.pdf")).path)
        assert dropped.exists()
        raise RuntimeError("refused later")
    assert not dropped.exists()
    with transaction():
        kept = files.path_of(_store(files.Upload(PDF, "b.pdf")).path)
    assert kept.exists()


def test_the_old_file_goes_only_once_its_replacement_is_committed(app):
    with transaction():
        old = _store(files.Upload(PDF, "old.pdf")).path
    with pytest.raises(RuntimeError), transaction():
        files.remove_after_commit(old)
        raise RuntimeError("the replacement failed")
    assert files.path_of(old).exists()
    with transaction():
        files.remove_after_commit(old)
    assert not files.path_of(old).exists()


def test_a_name_leading_outside_the_upload_folder_is_not_found(app):
    with pytest.raises(NotFound):
        files.path_of("../../etc/passwd")


def test_reading_a_form_field_stops_past_the_limit(app):
    from io import BytesIO

    from werkzeug.datastructures import FileStorage

    storage = FileStorage(BytesIO(b"%PDF-" + b"x" * 5000), filename="lon.pdf")
    upload = files.Upload.from_storage(storage, max_bytes=100)
    assert upload is not None and len(upload.data) == 101 and upload.filename == "lon.pdf"
    assert files.Upload.from_storage(FileStorage(BytesIO(b""), filename="")) is None
