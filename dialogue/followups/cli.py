"""``flask followups remind [--days N]``: run daily from cron."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup


def register_cli(app: Flask) -> None:
    group = AppGroup("followups", help="Theo dõi thực hiện nhiệm vụ.")

    @group.command("remind")
    @click.option("--days", type=click.IntRange(min=0), default=None, help="Nhắc nhiệm vụ đến hạn trong N ngày tới.")
    def remind(days: int | None) -> None:
        """Nhắc các đơn vị nhiệm vụ sắp đến hạn, quá hạn; gửi bản tổng hợp cho bộ phận theo dõi."""
        from .reminders import remind as run

        days = current_app.config["REMINDER_DAYS_AHEAD"] if days is None else days
        report = run(days)
        click.echo(
            f"Nhắc việc ({days} ngày tới): {report.overdue} quá hạn, {report.due_soon} sắp đến hạn, "
            f"{report.units} đơn vị; đã gửi {report.unit_messages} nhắc việc cho đơn vị, {report.digests} bản tổng hợp; "
            f"{report.skipped} bỏ qua vì đã gửi hôm nay."
        )
        if report.overdue_ids:
            click.echo("Quá hạn: " + ", ".join(f"#{i}" for i in report.overdue_ids[:200]))
        if report.units_without_account:
            click.echo("Đơn vị chưa có tài khoản: " + ", ".join(report.units_without_account), err=True)

    app.cli.add_command(group)
