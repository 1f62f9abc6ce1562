"""Pages of the statistics: a session's figures and a period's over an issuing unit's subtree, their charts and
exports. Thin: ``stats`` computes. On the reports blueprint."""

from __future__ import annotations

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.access import STAFF, roles_required
from ..core.errors import DomainError
from ..core.web import refuse
from . import services, stats
from .exports import XLSX_MIMETYPE, bar_chart, table_csv, table_xlsx
from .forms import PeriodForm
from .periods import parse_period
from .stats_tables import formatted_rows
from .views import bp


def _charts(figures: dict) -> list:
    from ..core.labels import label

    return [
        bar_chart(
            [(label("question_kind", k), v) for k, v in figures["submissions_by_kind"].items()],
            _("Câu hỏi, ý kiến theo loại"),
        ),
        bar_chart(
            [(label("response_kind", k), v) for k, v in figures["responses_by_kind"].items()],
            _("Trả lời theo hình thức"),
        ),
        bar_chart(
            [(label("commitment_status", k), v) for k, v in figures["commitments_by_status"].items()]
            + [(_("Quá hạn"), figures["overdue"])],
            _("Nhiệm vụ theo tình trạng"),
        ),
        bar_chart(
            [(r["unit"], r["on_time_rate"]) for r in figures["unit_ranking"] if r["on_time_rate"] is not None][:15],
            _("Tỷ lệ hoàn thành đúng hạn theo đơn vị (%)"),
            unit="%",
        ),
    ]


def shown_tables(table_list: list[dict]) -> list[dict]:
    """The tables with their cells as the page prints them."""
    return [{**t, "cells": formatted_rows(t)} for t in table_list]


def _export(table_list: list[dict], key: str, fmt: str, filename: str, heading: str) -> Response:
    table = next((t for t in table_list if t["key"] == key), None)
    if table is None or fmt not in ("csv", "xlsx"):
        abort(404)
    if fmt == "csv":
        response = Response(table_csv(table), mimetype="text/csv; charset=utf-8")
    else:
        response = Response(table_xlsx(table, heading), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}-{key}.{fmt}"'
    return response


@bp.get("/sessions/<int:session_id>/stats")
@roles_required(*STAFF)
def session_stats(session_id: int):
    session = services.get_session(session_id)
    figures = stats.session_stats(session)
    return render_template(
        "reports/session_stats.html",
        session=session,
        figures=figures,
        tables=shown_tables(stats.tables(figures, with_sessions=False)),
        charts=_charts(figures),
        export=lambda key, fmt: url_for("reports.session_stats_export", session_id=session.id, key=key, fmt=fmt),
    )


@bp.get("/sessions/<int:session_id>/stats/export/<key>/<fmt>")
@roles_required(*STAFF)
def session_stats_export(session_id: int, key: str, fmt: str):
    session = services.get_session(session_id)
    figures = stats.session_stats(session)
    return _export(stats.tables(figures, with_sessions=False), key, fmt, f"thong-ke-buoi-{session.id}", session.title)


def period_and_unit(args):
    """The period and the issuing unit of a statistics request (the person's own unit by default)."""
    from .period_reports import check_issuing_unit, default_issuing_unit, issuing_units

    period = parse_period(args)
    unit_id = args.get("unit_id", type=int)
    unit = check_issuing_unit(current_user, unit_id) if unit_id else default_issuing_unit(current_user)
    return period, unit, issuing_units(current_user)


def _period_or_error():
    from .period_reports import default_issuing_unit, issuing_units

    form = PeriodForm(request.args)
    try:
        period, unit, units = period_and_unit(request.args)
    except DomainError as exc:
        refuse(exc, form)
        period, unit, units = parse_period({}), default_issuing_unit(current_user), issuing_units(current_user)
        status = 422
    else:
        status = 200
    form.unit_id.choices = [(u.id, u.name) for u in units]
    # Show the chosen period in the form, defaults included.
    form.unit_id.data = unit.id if unit is not None else None
    form.kind.data = period.kind
    form.year.data = period.params.get("year", period.start.year)
    form.month.data = str(period.params.get("month", period.start.month))
    form.quarter.data = str(period.params.get("quarter", (period.start.month - 1) // 3 + 1))
    form.from_.data, form.to.data = period.start, period.end
    return form, period, unit, status


@bp.get("/stats")
@roles_required(*STAFF)
def period_stats():
    from .forms import OpenReportForm
    from .period_reports import find_report

    form, period, unit, status = _period_or_error()
    figures = stats.period_stats(period, unit.id if unit else None)
    params = {**period.params, **({"unit_id": unit.id} if unit else {})}
    report = find_report(unit.id, period) if unit is not None else None
    open_form = OpenReportForm(formdata=None, data={"unit_id": unit.id if unit else "", **period.params})
    return render_template(
        "reports/period_stats.html",
        form=form,
        period=period,
        unit=unit,
        figures=figures,
        tables=shown_tables(stats.tables(figures)),
        charts=_charts(figures),
        params=params,
        report=report,
        open_form=open_form,
        export=lambda key, fmt: url_for("reports.period_stats_export", key=key, fmt=fmt, **params),
    ), status


@bp.get("/stats/export/<key>/<fmt>")
@roles_required(*STAFF)
def period_stats_export(key: str, fmt: str):
    period, unit, _units = period_and_unit(request.args)
    figures = stats.period_stats(period, unit.id if unit else None)
    return _export(stats.tables(figures), key, fmt, f"thong-ke-{period.start:%Y%m%d}-{period.end:%Y%m%d}", period.title)
