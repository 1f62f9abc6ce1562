"""Nothing lost: deploy/backup.py and deploy/restore.py, run as an administrator runs them.

A populated database (the demo district, plus submissions and commitment reports with attached files) is backed
up with pg_dump and its upload folder; the backup is restored into a new database and a new folder; every row of
every table, every sequence and every file is found there, and the app running on the restored copy serves each
attachment. The restore refuses a damaged backup, a database or folder that is not empty, and an archive that
would write outside its folder, changing nothing. PostgreSQL only: the scripts use pg_dump and pg_restore.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from dialogue import create_app
from dialogue.core.timeutil import today_local
from dialogue.extensions import db, socketio
from dialogue.followups import services as followups
from dialogue.followups.models import CommitmentUpdate
from dialogue.questions.models import Question
from tests.conftest import login
from tests.live_fixtures import make_question
from tests.live_fixtures import make_session as make_live_session
from tests.sessions_fixtures import schedule

ROOT = Path(__file__).resolve().parent.parent
BACKUP = ROOT / "deploy" / "backup.py"
RESTORE = ROOT / "deploy" / "restore.py"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + os.urandom(2048)
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(4096)
JPEG = b"\xff\xd8\xff\xe0" + os.urandom(1024)
REPORT = b"%PDF-1.4 bao cao tien do\n" + os.urandom(512)
DONE = b"%PDF-1.4 bao cao hoan thanh\n" + os.urandom(512)


def run(script: Path, *args: str, database_url: str, upload_dir: Path | str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DATABASE_URL", "UPLOAD_DIR"))}
    env.update({"DATABASE_URL": database_url, "UPLOAD_DIR": str(upload_dir)})
    return subprocess.run(
        [sys.executable, str(script), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture
def fresh_database(database_url):
    """A new, empty database beside this run's own (named after it, so parallel runs do not meet), dropped after."""
    url = make_url(database_url)
    name = f"{url.database}_restore"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    drop()
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"))
    yield url.set(database=name).render_as_string(hide_password=False)
    drop()
    admin.dispose()


def populate(app, client, tree) -> None:
    """The demo district, and attachments of both kinds uploaded through the pages, as people upload them."""
    seeded = app.test_cli_runner().invoke(args=["seed-demo"])
    assert seeded.exit_code == 0, seeded.output

    open_session = schedule(tree)
    for author, (content, filename) in zip(
        tree.secretaries[:2], [(PDF, "Biên bản họp chi bộ.pdf"), (PNG, "ảnh hiện trường.png")], strict=True
    ):
        login(client, author)
        answer = client.post(
            f"/sessions/{open_session.id}/questions/new",
            data={
                "kind": "recommendation",
                "topic": "Công tác kiểm tra, giám sát",
                "body": f"Kiến nghị kèm tệp {filename}",
                "idempotency_key": filename,
                "attachment": (io.BytesIO(content), filename),
            },
            content_type="multipart/form-data",
        )
        assert answer.status_code in (302, 303), answer.get_data(as_text=True)[:500]
    login(client, tree.secretaries[1])
    third = client.post(
        f"/sessions/{open_session.id}/questions/new",
        data={
            "kind": "question",
            "body": "Câu hỏi kèm ảnh chụp văn bản",
            "idempotency_key": "jpeg",
            "attachment": (io.BytesIO(JPEG), "văn bản.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert third.status_code in (302, 303)

    live = make_live_session(tree)
    question = make_question(live, tree.secretaries[0])
    commitment = followups.create_commitment(
        tree.host,
        description="Rà soát quy trình kiểm tra đảng viên có dấu hiệu vi phạm.",
        unit_id=tree.communes[0].id,
        due_date=today_local() + timedelta(days=30),
        session_id=live.id,
        question_id=question.id,
    )
    db.session.commit()
    login(client, tree.unit_account)
    for action, fields in (
        (
            "update",
            {"u-note": "Đã họp rà soát", "u-progress": "40", "u-attachment": (io.BytesIO(REPORT), "tiến độ.pdf")},
        ),
        ("done", {"d-report": "Đã ban hành hướng dẫn.", "d-attachment": (io.BytesIO(DONE), "kết quả.pdf")}),
    ):
        answer = client.post(f"/followups/{commitment.id}/{action}", data=fields, content_type="multipart/form-data")
        assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    assert db.session.scalar(select(func.count()).where(Question.attachment_path.is_not(None))) == 3
    assert db.session.scalar(select(func.count()).where(CommitmentUpdate.attachment_path.is_not(None))) == 2


def every_row(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (the app's and Alembic's), in key order, and every sequence's position."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = {
                table.name: [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables
            }
            rows["alembic_version"] = [tuple(r) for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
            rows["sequences"] = [
                tuple(r)
                for r in conn.execute(
                    text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")
                )
            ]
    finally:
        engine.dispose()
    return rows


def every_file(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


def the_backup(dest: Path) -> Path:
    (made,) = [p for p in dest.iterdir() if p.name.startswith("dialogue-")]
    return made


@pytest.mark.postgres_only
def test_a_backup_restores_every_record_and_file(app, client, tree, database_url, fresh_database, tmp_path):
    populate(app, client, tree)
    uploads = Path(app.config["UPLOAD_DIR"])
    before = every_row(database_url)
    files_before = every_file(uploads)
    assert len(before["users"]) > 200 and len(before["audit_entries"]) > 0  # the demo district is in it
    assert len(files_before) >= 5

    made = run(BACKUP, "--keep", "3", str(tmp_path / "backups"), database_url=database_url, upload_dir=uploads)
    assert made.returncode == 0, made.stderr
    backup = the_backup(tmp_path / "backups")
    assert str(backup) in made.stdout
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["schema_revision"] == before["alembic_version"][0][0]
    assert manifest["uploads"]["files"] == len(files_before)
    assert sorted(p.name for p in backup.iterdir()) == ["database.dump", "manifest.json", "uploads.tar.gz"]

    # Restored through the installation's settings file, as docs/backup.md shows.
    restored_uploads = tmp_path / "restored" / "uploads"
    env_file = tmp_path / "dialogue.env"
    env_file.write_text(f"# the new machine\nDATABASE_URL={fresh_database}\nUPLOAD_DIR='{restored_uploads}'\n")
    done = run(RESTORE, "--env-file", str(env_file), str(backup), database_url="", upload_dir="")
    assert done.returncode == 0, done.stderr
    assert f"{len(files_before)} files" in done.stdout

    assert every_row(fresh_database) == before
    assert every_file(restored_uploads) == files_before

    # The app on the restored copy finds every attachment for the people allowed to see it.
    # Socket.IO's extension holds one server per process: a second app takes it over, so the suite's own app gets
    # it back afterwards (its live server and socket tests run later in the same process).
    held_server, held_options = socketio.server, dict(socketio.server_options)
    restored = create_app(
        "test", SQLALCHEMY_DATABASE_URI=fresh_database, UPLOAD_DIR=str(restored_uploads), PUBLIC_BASE_URL="http://x"
    )
    try:
        with restored.app_context():
            questions = db.session.execute(
                select(Question.id, Question.author_id, Question.attachment_name).where(
                    Question.attachment_path.is_not(None)
                )
            ).all()
            updates = db.session.execute(
                select(CommitmentUpdate.id, CommitmentUpdate.attachment_name).where(
                    CommitmentUpdate.attachment_path.is_not(None)
                )
            ).all()
            db.session.remove()
        expected = {"Biên bản họp chi bộ.pdf": PDF, "ảnh hiện trường.png": PNG, "văn bản.jpg": JPEG}
        assert {name for _, _, name in questions} == set(expected)
        for question_id, author_id, name in questions:
            browser = restored.test_client()
            login(browser, SimpleNamespace(get_id=lambda a=author_id: f"{a}:0"))
            got = browser.get(f"/questions/{question_id}/attachment")
            assert got.status_code == 200 and got.data == expected[name], name
        reports = {"tiến độ.pdf": REPORT, "kết quả.pdf": DONE}
        assert {name for _, name in updates} == set(reports)
        unit_browser = restored.test_client()
        login(unit_browser, tree.unit_account)
        for update_id, name in updates:
            got = unit_browser.get(f"/followups/attachments/{update_id}")
            assert got.status_code == 200 and got.data == reports[name], name
    finally:
        with restored.app_context():
            db.session.remove()
            db.engine.dispose()
        socketio.server, socketio.server_options = held_server, held_options


@pytest.mark.postgres_only
def test_a_restore_refuses_what_would_lose_or_mix_data(app, tree, database_url, fresh_database, tmp_path):
    uploads = Path(app.config["UPLOAD_DIR"])
    (uploads / "questions").mkdir(parents=True, exist_ok=True)
    (uploads / "questions" / "mot-tep.pdf").write_bytes(PDF)
    made = run(BACKUP, str(tmp_path / "backups"), database_url=database_url, upload_dir=uploads)
    assert made.returncode == 0, made.stderr
    backup = the_backup(tmp_path / "backups")
    before = every_row(database_url)
    target = tmp_path / "new-uploads"

    # Into the live database: refused, nothing changed there.
    into_live = run(RESTORE, str(backup), database_url=database_url, upload_dir=target)
    assert into_live.returncode == 1
    assert "is not empty" in into_live.stderr and "nothing was changed" in into_live.stderr
    assert every_row(database_url) == before
    assert not target.exists()

    # Into a folder that already holds files: refused, the new database stays empty.
    target.mkdir()
    (target / "someone-elses.txt").write_text("x")
    busy = run(RESTORE, str(backup), database_url=fresh_database, upload_dir=target)
    assert busy.returncode == 1 and "UPLOAD_DIR" in busy.stderr and "not empty" in busy.stderr
    assert empty(fresh_database)
    shutil.rmtree(target)

    # A damaged backup: one byte changed in the archive.
    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    data = bytearray((damaged / "uploads.tar.gz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (damaged / "uploads.tar.gz").write_bytes(bytes(data))
    refused = run(RESTORE, str(damaged), database_url=fresh_database, upload_dir=target)
    assert refused.returncode == 1 and "is damaged" in refused.stderr
    assert empty(fresh_database) and not target.exists()

    # An archive that would write outside its folder, even with a manifest that matches it.
    crafted = tmp_path / "crafted"
    shutil.copytree(backup, crafted)
    with tarfile.open(crafted / "uploads.tar.gz", "w:gz") as tar:
        evil = tarfile.TarInfo("uploads/../../outside.txt")
        evil.size = 4
        tar.addfile(evil, io.BytesIO(b"evil"))
    manifest = json.loads((crafted / "manifest.json").read_text())
    manifest["sha256"]["uploads.tar.gz"] = hashlib.sha256((crafted / "uploads.tar.gz").read_bytes()).hexdigest()
    (crafted / "manifest.json").write_text(json.dumps(manifest))
    escaped = run(RESTORE, str(crafted), database_url=fresh_database, upload_dir=target)
    assert escaped.returncode == 1 and "not a file of the upload folder" in escaped.stderr
    assert empty(fresh_database) and not (tmp_path / "outside.txt").exists()
    assert not any(p.name.startswith(".new-uploads.restoring-") for p in tmp_path.iterdir())

    # Not a backup at all.
    nothing = run(RESTORE, str(tmp_path / "backups"), database_url=fresh_database, upload_dir=target)
    assert nothing.returncode == 1 and "not a backup made by deploy/backup.py" in nothing.stderr


def empty(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) == 0
    finally:
        engine.dispose()


@pytest.mark.postgres_only
def test_keep_leaves_the_newest_backups_and_no_partial_one(app, database_url, tmp_path):
    dest = tmp_path / "backups"
    uploads = Path(app.config["UPLOAD_DIR"])
    made = []
    for _ in range(3):
        done = run(BACKUP, "--keep", "2", str(dest), database_url=database_url, upload_dir=uploads)
        assert done.returncode == 0, done.stderr
        made.append(Path(done.stdout.split()[1]))
    assert len(set(made)) == 3  # three backups in the same second get three folders
    assert sorted(dest.iterdir()) == sorted(made[1:])  # the oldest is gone, nothing half-written is left
    assert f"removed the older {made[0]}" in done.stdout


def test_a_backup_refuses_a_database_that_is_not_postgresql(tmp_path):
    made = run(BACKUP, str(tmp_path / "b"), database_url=f"sqlite:///{tmp_path / 'x.db'}", upload_dir=tmp_path)
    assert made.returncode == 1
    assert "not a PostgreSQL database" in made.stderr
    assert not (tmp_path / "b").exists()
    unset = run(BACKUP, str(tmp_path / "b"), database_url="", upload_dir=tmp_path)
    assert unset.returncode == 1 and "DATABASE_URL is not set" in unset.stderr
