"""``flask users create`` and ``flask tokens create`` (API.md)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from ..core.access import ROLES
from ..core.errors import DomainError
from ..extensions import db
from . import services


def register_cli(app: Flask) -> None:
    users = AppGroup("users", help="Tài khoản người dùng.")
    tokens = AppGroup("tokens", help="Mã truy cập API.")

    @users.command("create")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
    @click.option("--unit", "unit_id", type=int, default=None)
    @click.option("--password", default=None)
    @click.option("--phone", default=None)
    def create_user(
        email: str, name: str, roles: tuple[str, ...], unit_id: int | None, password: str | None, phone: str | None
    ) -> None:
        """Tạo một tài khoản."""
        try:
            user = services.create_user(
                None, name=name, email=email, phone=phone, roles=roles, unit_id=unit_id, password=password
            )
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(f"{user.id}\t{user.email}\t{','.join(sorted(user.role_names))}")

    @tokens.command("create")
    @click.argument("email")
    @click.option("--name", default="cli")
    def create_token(email: str, name: str) -> None:
        """In ra một mã truy cập mới cho EMAIL (chỉ mã, trên stdout)."""
        user = services.find_by_login(email)
        if user is None:
            raise click.ClickException(f"Không tìm thấy người dùng {email}")
        _token, secret = services.create_api_token(None, user, name)
        click.echo(secret)

    @tokens.command("revoke")
    @click.argument("token_id", type=int)
    def revoke_token(token_id: int) -> None:
        """Thu hồi mã truy cập theo số hiệu."""
        from .models import ApiToken, User

        token = db.session.get(ApiToken, token_id)
        if token is None:
            raise click.ClickException("Không tìm thấy mã.")
        admin = db.session.scalar(db.select(User).where(User.id == token.user_id))
        services.revoke_api_token(admin, token_id)
        click.echo("revoked")

    app.cli.add_command(users)
    app.cli.add_command(tokens)
