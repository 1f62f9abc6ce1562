"""``flask seed-demo``."""

from __future__ import annotations

import click
from flask import Flask

from ..core.labels import label
from .seed import seed_demo


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Tạo dữ liệu mẫu huyện Châu Thành (chạy lại không thay đổi gì)."""
        sign_ins = seed_demo()
        click.echo("Tài khoản mẫu (demo sign-ins):")
        for role, login, password in sign_ins:
            click.echo(f"  {label('role', role):<28} {login:<24} {password}")
