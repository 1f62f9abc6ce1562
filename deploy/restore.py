#!/usr/bin/env python3
"""Restores a backup of Đối thoại made by deploy/backup.py into an empty database and an empty upload folder.

    deploy/restore.py [--env-file /etc/dialogue/dialogue.env] BACKUP   (a dialogue-YYYYMMDD-HHMMSS folder)

DATABASE_URL names the database to restore into and UPLOAD_DIR the folder for the files, as for the app (from the
environment, or from --env-file, which wins). It refuses, changing nothing, when:
- the backup is damaged (a file's SHA-256 differs from its manifest) or holds anything but plain files and folders;
- the database already has tables (create a new one: docs/backup.md), or the folder already has files.
Then it unpacks the files beside UPLOAD_DIR, restores the database in one transaction (pg_restore
--single-transaction: all or nothing), and only then moves the files into place; it ends by checking that the
database is at the backup's schema revision and that every file is there. Objects are owned by the role of
DATABASE_URL (--no-owner), so a backup restores into another server with other role names. Standard library only;
needs pg_restore and psql (Debian's postgresql-client).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The sibling script, whatever the current folder.
from backup import (
    ARCHIVE,
    ARCHIVE_ROOT,
    DUMP,
    FORMAT,
    MANIFEST,
    BackupError,
    libpq_env,
    query,
    run_pg,
    schema_revision,
    settings,
    sha256,
    upload_dir,
)


def read_manifest(backup: Path) -> dict:
    try:
        manifest = json.loads((backup / MANIFEST).read_text(encoding="utf-8"))
    except OSError:
        raise BackupError(f"{backup} is not a backup made by deploy/backup.py (no {MANIFEST})") from None
    except ValueError:
        raise BackupError(f"{backup / MANIFEST} is damaged (not JSON)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{backup} has format {manifest.get('format')!r}; this script reads format {FORMAT}")
    for name in (DUMP, ARCHIVE):
        path = backup / name
        if not path.is_file():
            raise BackupError(f"{backup} is incomplete: {name} is missing")
        if sha256(path) != manifest["sha256"][name]:
            raise BackupError(f"{path} is damaged: its SHA-256 is not the one the backup recorded")
    return manifest


def require_empty_database(pg: dict[str, str]) -> None:
    count = int(
        query(
            pg,
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') "
            "AND n.nspname NOT LIKE 'pg_temp%' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')",
        ).strip()
    )
    if count:
        raise BackupError(
            f"the database {pg['PGDATABASE']} is not empty ({count} tables, views or sequences): restore into a "
            f"new database (createdb --owner=… --encoding=UTF8 --template=template0 NAME) and point DATABASE_URL "
            f"at it; nothing was changed"
        )


def require_empty_folder(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"UPLOAD_DIR {folder} is not empty: restore into a new folder; nothing was changed")


def safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Only folders and regular files, all under uploads/: an archive can never write outside the folder."""
    members = tar.getmembers()
    for member in members:
        path = PurePosixPath(member.name)
        if (
            path.is_absolute()
            or ".." in path.parts
            or path.parts[:1] != (ARCHIVE_ROOT,)
            or not (member.isfile() or member.isdir())
        ):
            raise BackupError(f"{ARCHIVE} holds {member.name!r}, which is not a file of the upload folder")
    return members


def unpack(backup: Path, folder: Path) -> Path:
    """Unpacks the files into a new folder beside ``folder``; returns it (its uploads/ is the content)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.restoring-", dir=folder.parent))
    try:
        with tarfile.open(backup / ARCHIVE, "r:gz") as tar:
            members = safe_members(tar)
            extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(staging, members=members, **extra)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def count_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


def restore(values: dict[str, str], backup: Path) -> tuple[dict, str, Path]:
    manifest = read_manifest(backup)
    pg = libpq_env(values.get("DATABASE_URL"))
    folder = upload_dir(values)
    require_empty_database(pg)
    require_empty_folder(folder)
    staging = unpack(backup, folder)
    try:
        run_pg(
            [
                "pg_restore",
                "--no-password",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={pg['PGDATABASE']}",
                str(backup / DUMP),
            ],
            pg,
            "pg_restore (nothing was restored: it runs in one transaction)",
        )
        if folder.exists():
            folder.rmdir()  # empty, checked above
        (staging / ARCHIVE_ROOT).rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    revision = schema_revision(pg)
    expected = manifest["database"]["schema_revision"]
    if revision != expected:
        raise BackupError(f"the restored database is at revision {revision}, the backup says {expected}")
    files = count_files(folder)
    if files != manifest["uploads"]["files"]:
        raise BackupError(f"{folder} has {files} files after the restore, the backup holds {manifest['uploads']}")
    return manifest, pg["PGDATABASE"], folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("backup", type=Path, help="a dialogue-YYYYMMDD-HHMMSS folder made by deploy/backup.py")
    parser.add_argument("--env-file", help="the installation's settings, e.g. /etc/dialogue/dialogue.env")
    args = parser.parse_args(argv)
    try:
        manifest, database_name, folder = restore(settings(args.env_file), args.backup)
    except (BackupError, OSError) as exc:
        print(f"restore: {exc}", file=sys.stderr)
        return 1
    database = manifest["database"]
    print(
        f"restore: the backup of {manifest['created_at']} (database {database['name']}, revision "
        f"{database['schema_revision']}) is in {database_name}, "
        f"its {manifest['uploads']['files']} files in {folder}"
    )
    if os.geteuid() == 0:
        print(f"restore: the files belong to root: chown -R dialogue:dialogue {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
