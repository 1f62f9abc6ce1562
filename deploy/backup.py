#!/usr/bin/env python3
"""Backs up Đối thoại: the PostgreSQL database (pg_dump) and the uploaded files (UPLOAD_DIR), together.

    deploy/backup.py [--env-file /etc/dialogue/dialogue.env] [--keep N] DEST

writes DEST/dialogue-YYYYMMDD-HHMMSS/ with
    database.dump    pg_dump's custom format (compressed; pg_restore reads it)
    uploads.tar.gz   every file under UPLOAD_DIR (attachments of submissions and of commitment reports)
    manifest.json    when, from which database and schema revision, how many files, and the SHA-256 of both
The folder appears only when it is complete (it is written under a hidden name, then renamed), so a backup cut
short never looks like one. ``--keep N`` then deletes all but the newest N backups in DEST.

The database is dumped first, then the files: a file uploaded in between is in the archive without its row (it is
harmless), while every row of the dump finds its file. DATABASE_URL and UPLOAD_DIR come from the environment, or
from --env-file (the systemd units' file), which wins. The password never appears on a command line: it is handed
to pg_dump in its environment. Standard library only; needs pg_dump and psql (Debian's postgresql-client).
docs/backup.md says how to restore (deploy/restore.py) and how to test a backup.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

FORMAT = 1
DUMP = "database.dump"
ARCHIVE = "uploads.tar.gz"
MANIFEST = "manifest.json"
ARCHIVE_ROOT = "uploads"
CHECKOUT = Path(__file__).resolve().parent.parent
# The app's own default (config.py) when UPLOAD_DIR is not set.
DEFAULT_UPLOAD_DIR = CHECKOUT / "instance" / "uploads"
# Query parameters of a libpq URL and the environment variable libpq reads for each.
LIBPQ_PARAMETERS = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "passfile": "PGPASSFILE",
}


class BackupError(RuntimeError):
    """A reason to stop, said in full to the person running the script."""


# Settings ----------------------------------------------------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them (comments, blank lines, optional quotes)."""
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")) or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def settings(env_file: str | None) -> dict[str, str]:
    values = dict(os.environ)
    if env_file:
        values.update(read_env_file(Path(env_file)))
    return values


def libpq_env(url: str | None) -> dict[str, str]:
    """The PG* variables for pg_dump, pg_restore and psql from the app's DATABASE_URL (SQLAlchemy's form)."""
    if not url:
        raise BackupError("DATABASE_URL is not set (the database to back up or restore into)")
    parts = urlsplit(url)
    if parts.scheme.split("+", 1)[0] not in ("postgresql", "postgres"):
        raise BackupError(
            f"DATABASE_URL is not a PostgreSQL database ({parts.scheme}://...): these scripts use pg_dump and "
            "pg_restore; production runs on PostgreSQL (docs/deployment.md)"
        )
    env: dict[str, str] = {}
    if parts.hostname:
        env["PGHOST"] = parts.hostname
    if parts.port:
        env["PGPORT"] = str(parts.port)
    if parts.username:
        env["PGUSER"] = unquote(parts.username)
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise BackupError("DATABASE_URL names no database (…/DBNAME at its end)")
    env["PGDATABASE"] = database
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in LIBPQ_PARAMETERS:
            raise BackupError(f"DATABASE_URL has a parameter these scripts do not know: {key}")
        env[LIBPQ_PARAMETERS[key]] = value
    return env


def upload_dir(values: dict[str, str]) -> Path:
    return Path(values.get("UPLOAD_DIR") or DEFAULT_UPLOAD_DIR).resolve()


# PostgreSQL tools ----------------------------------------------------------------------------------------------


def run_pg(command: list[str], pg: dict[str, str], what: str) -> str:
    """Runs a PostgreSQL client tool with only our PG* settings (none inherited from the caller's shell)."""
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: apt-get install postgresql-client")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(pg)
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed ({command[0]} exited with {done.returncode}):\n{done.stderr.strip()}")
    return done.stdout


def query(pg: dict[str, str], sql: str) -> str:
    return run_pg(["psql", "--no-password", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], pg, sql)


def schema_revision(pg: dict[str, str]) -> str | None:
    """The Alembic revision the database is at (None for a database without the app's schema)."""
    exists = query(pg, "SELECT to_regclass('public.alembic_version') IS NOT NULL").strip()
    if exists != "t":
        return None
    return query(pg, "SELECT version_num FROM alembic_version").strip() or None


# Files -------------------------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_uploads(folder: Path, target: Path) -> tuple[int, int]:
    """Every regular file under ``folder`` into ``target``, as uploads/<relative path>; returns (files, bytes)."""
    files = size = 0
    with tarfile.open(target, "w:gz") as tar:
        root = tarfile.TarInfo(ARCHIVE_ROOT)
        root.type, root.mode, root.mtime = tarfile.DIRTYPE, 0o750, int(time.time())
        tar.addfile(root)  # there even when nothing was uploaded yet (or the folder does not exist)
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_symlink() or not (path.is_dir() or path.is_file()):
                continue  # the app writes only files and folders; a link pointing elsewhere is not ours to copy
            tar.add(path, arcname=f"{ARCHIVE_ROOT}/{path.relative_to(folder).as_posix()}", recursive=False)
            if path.is_file():
                files += 1
                size += path.stat().st_size
    return files, size


def backups_in(dest: Path) -> list[tuple[str, Path]]:
    """The complete backups in ``dest``, oldest first, by the time their manifest gives."""
    found = []
    for folder in dest.glob("dialogue-*"):
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        found.append((str(manifest.get("created_at", "")), folder))
    return sorted(found)


def prune(dest: Path, keep: int) -> list[Path]:
    removed = []
    complete = backups_in(dest)
    for _, folder in complete[: max(0, len(complete) - keep)]:
        shutil.rmtree(folder)
        removed.append(folder)
    return removed


# The backup --------------------------------------------------------------------------------------------------


def create_backup(values: dict[str, str], dest: Path) -> Path:
    pg = libpq_env(values.get("DATABASE_URL"))
    uploads = upload_dir(values)
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = datetime.now(UTC)
    name = f"dialogue-{now:%Y%m%d-%H%M%S}"
    n = 1
    while (dest / name).exists():
        name = f"dialogue-{now:%Y%m%d-%H%M%S}-{n}"
        n += 1
    work = dest / f".{name}.partial"
    work.mkdir(mode=0o700)
    try:
        revision = schema_revision(pg)
        server = query(pg, "SHOW server_version").strip()
        run_pg(["pg_dump", "--no-password", "--format=custom", f"--file={work / DUMP}"], pg, "pg_dump")
        files, size = archive_uploads(uploads, work / ARCHIVE)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "database": {
                "name": pg["PGDATABASE"],
                "host": pg.get("PGHOST", ""),
                "server_version": server,
                "schema_revision": revision,
            },
            "uploads": {"folder": str(uploads), "files": files, "bytes": size},
            "sha256": {DUMP: sha256(work / DUMP), ARCHIVE: sha256(work / ARCHIVE)},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        work.rename(dest / name)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return dest / name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path, help="folder that holds the backups")
    parser.add_argument("--env-file", help="the installation's settings, e.g. /etc/dialogue/dialogue.env")
    parser.add_argument("--keep", type=int, default=None, help="then keep only the newest N backups in DEST")
    args = parser.parse_args(argv)
    if args.keep is not None and args.keep < 1:
        parser.error("--keep must be at least 1")
    try:
        made = create_backup(settings(args.env_file), args.dest)
        removed = prune(args.dest, args.keep) if args.keep else []
    except (BackupError, OSError) as exc:
        print(f"backup: {exc}", file=sys.stderr)
        return 1
    manifest = json.loads((made / MANIFEST).read_text(encoding="utf-8"))
    print(
        f"backup: {made} (database {manifest['database']['name']} at revision "
        f"{manifest['database']['schema_revision']}, {manifest['uploads']['files']} files)"
    )
    for folder in removed:
        print(f"backup: removed the older {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
