"""``flask sessions remind SESSION_ID``: the reminder to invitees, at most once a day per person."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from ..core.errors import DomainError


def register_cli(app: Flask) -> None:
    group = AppGroup("sessions", help="Buổi đối thoại.")

    @group.command("remind")
    @click.argument("session_id", type=int)
    def remind(session_id: int) -> None:
        """Gửi thư nhắc lịch (kèm đường dẫn riêng) cho khách mời; không gửi hai lần trong một ngày."""
        from . import services

        try:
            session = services.get_session(session_id)
            sent = services.remind(session)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        if sent:
            click.echo(f"Đã gửi nhắc lịch cho {sent} khách mời.")
        else:
            click.echo("Không có thư nhắc mới: hôm nay đã nhắc mọi khách mời.")

    app.cli.add_command(group)
