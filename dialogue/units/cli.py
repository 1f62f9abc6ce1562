"""``flask import-members FILE``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from ..core.errors import DomainError


def register_cli(app: Flask) -> None:
    @app.cli.command("import-members")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi.")
    def import_members(path: Path, dry_run: bool) -> None:
        """Nhập danh sách đảng viên từ tệp CSV hoặc XLSX."""
        from . import importer

        data = path.read_bytes()
        try:
            result = importer.preview(path.name, data)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        for message in result.file_errors:
            click.echo(f"LỖI: {message}", err=True)
        for row in result.error_rows:
            click.echo(f"LỖI dòng {row.line}: {'; '.join(row.errors)}", err=True)
        if not result.valid:
            raise click.ClickException("Tệp có lỗi, chưa nhập gì.")
        if dry_run:
            click.echo(f"Hợp lệ: {len(result.rows)} dòng.")
            return
        counts = importer.apply(None, path.name, data)
        click.echo(
            f"Đã nhập: {counts['created']} mới, {counts['updated']} cập nhật, {counts['unchanged']} không đổi, "
            f"{counts['cells_created']} chi bộ mới."
        )
