"""Pages of the minutes, the conclusion notice and the statistics. Thin: the services decide."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..core.access import STAFF, roles_required
from ..core.errors import Conflict, DomainError
from ..core.inputs import text_problem
from ..core.nav import add_nav_item
from ..core.timeutil import today_local
from ..core.web import refuse
from ..extensions import db
from ..home.services import register_section
from ..units.models import Unit
from . import services, stats
from .exports import DOCX_MIMETYPE, XLSX_MIMETYPE, bar_chart, table_csv, table_xlsx
from .forms import ConclusionForm, MinutesForm, PeriodForm, PublishForm
from .periods import parse_period
from .record import place_from_unit_name

bp = Blueprint("reports", __name__, url_prefix="/reports")
KIND = "documents/<kind>"
TITLES = {"minutes": _l("Biên bản"), "conclusion": _l("Thông báo kết luận")}
FORMS = {"minutes": MinutesForm, "conclusion": ConclusionForm}

add_nav_item("reports.period_stats", _l("Thống kê"), STAFF)
for _role in services.EDITORS:
    register_section(_role, "reports/_home_documents.html", services.documents_home, order=40)


# python-docx and openpyxl are imported where a file is made, not when the web worker starts: every phone's
# connection shares that worker's memory.


def _renderer(kind: str):
    if kind == "minutes":
        from .docx_minutes import minutes_docx

        return minutes_docx
    from .docx_conclusion import conclusion_docx

    return conclusion_docx


def docx_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=DOCX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def document_docx(session, kind: str, version: int | None = None) -> Response:
    """The Word file: a given published version, else the latest published, else the current draft."""
    services.check_kind(kind)
    if version is not None:
        content = services.get_version(session, kind, version).content
    else:
        content, _doc = services.current_document(session, kind)
    name = "bien-ban" if kind == "minutes" else "thong-bao-ket-luan"
    suffix = f"-v{content['version']}" if content.get("version") else "-du-thao"
    return docx_response(_renderer(kind)(content), f"{name}-buoi-{session.id}{suffix}.docx")


@bp.get(f"/sessions/<int:session_id>/{KIND}")
@roles_required(*services.READERS)
def document(session_id: int, kind: str):
    session = services.get_session(session_id)
    services.check_kind(kind)
    versions = services.published_versions(session, kind)
    version = request.args.get("version", type=int)
    if version is not None:
        content = services.get_version(session, kind, version).content
    else:
        content = services.document_content(session, kind)
    return render_template(
        "reports/document.html",
        session=session,
        kind=kind,
        title=TITLES[kind],
        content=content,
        versions=versions,
        shown_version=version,
        can_edit=current_user.has_role(*services.EDITORS),
        publish_form=PublishForm(formdata=None, revision=content.get("draft_revision", 0)),
    )


@bp.get(f"/sessions/<int:session_id>/{KIND}/docx")
@roles_required(*services.READERS)
def document_download(session_id: int, kind: str):
    session = services.get_session(session_id)
    return document_docx(session, kind, request.args.get("version", type=int))


@bp.route(f"/sessions/<int:session_id>/{KIND}/edit", methods=["GET", "POST"])
@roles_required(*services.EDITORS)
def edit(session_id: int, kind: str):
    session = services.get_session(session_id)
    services.check_kind(kind)
    saved, revision = services.draft_fields(session, kind)
    content = services.document_content(session, kind)
    form_class = FORMS[kind]

    def page(form, summaries: dict, conflict) -> str:
        return render_template(
            "reports/edit.html",
            session=session,
            kind=kind,
            title=TITLES[kind],
            form=form,
            content=content,
            summaries=summaries,
            conflict=conflict,
        )

    if request.method == "GET":
        defaults = {"revision": revision, **{k: v for k, v in saved.items() if k != "summaries"}}
        defaults.setdefault("place", content["place"])
        if kind == "conclusion":
            defaults.setdefault("recipients", content["recipients"])
            defaults.setdefault("signer", content["signer"])
        form = form_class(formdata=None, data=defaults)
        summaries = {str(t["speaker_id"]): t["summary"] for t in content["record"]["turns"]}
        return page(form, summaries, None)
    form = form_class()
    summaries = {
        key.removeprefix("summary_"): value for key, value in request.form.items() if key.startswith("summary_")
    }
    conflict = None
    status = 200
    # The turns' summaries are fields of their own, outside the form class: the same check as its text areas.
    summary_problems = [p for p in (text_problem(v, multiline=True) for v in summaries.values()) if p]
    for problem in dict.fromkeys(summary_problems):
        flash(problem, "error")
    if form.validate_on_submit() and not summary_problems:
        fields = {name: form[name].data or "" for name in services.TEXT_FIELDS[kind]}
        if kind == "minutes":
            fields["summaries"] = summaries
        try:
            expected = int(form.revision.data or 0)
        except ValueError:
            expected = -1
        try:
            services.save_draft(current_user, session, kind, fields, expected)
        except Conflict as exc:
            refuse(exc, form)
            status = 409
            if exc.code == "stale_revision":
                conflict, current = services.draft_fields(session, kind)
                form.revision.data = current  # saving again after comparing is a deliberate choice
        except DomainError as exc:
            refuse(exc, form)
            status = exc.status
        else:
            flash(_("Đã lưu bản thảo."), "success")
            return redirect(url_for("reports.document", session_id=session.id, kind=kind))
    else:
        status = 422
    return page(form, summaries, conflict), status


@bp.post(f"/sessions/<int:session_id>/{KIND}/publish")
@roles_required(*services.EDITORS)
def publish(session_id: int, kind: str):
    session = services.get_session(session_id)
    services.check_kind(kind)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        revision = int(form.revision.data) if form.revision.data not in (None, "") else None
    except ValueError:
        revision = None
    try:
        doc = services.publish(current_user, session, kind, revision)
    except DomainError as exc:
        refuse(exc)
        return redirect(url_for("reports.document", session_id=session.id, kind=kind))
    flash(_("Đã ban hành phiên bản %(n)s.", n=doc.version), "success")
    return redirect(url_for("reports.document", session_id=session.id, kind=kind, version=doc.version))


# Statistics ----------------------------------------------------------------------------------------------------


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
        tables=stats.tables(figures, with_sessions=False),
        charts=_charts(figures),
        export=lambda key, fmt: url_for("reports.session_stats_export", session_id=session.id, key=key, fmt=fmt),
    )


@bp.get("/sessions/<int:session_id>/stats/export/<key>/<fmt>")
@roles_required(*STAFF)
def session_stats_export(session_id: int, key: str, fmt: str):
    session = services.get_session(session_id)
    figures = stats.session_stats(session)
    return _export(stats.tables(figures, with_sessions=False), key, fmt, f"thong-ke-buoi-{session.id}", session.title)


def _period_or_error():
    form = PeriodForm(request.args)
    try:
        period = parse_period(request.args)
    except DomainError as exc:
        refuse(exc, form)
        period = parse_period({})
        return form, period, 422
    # Show the chosen period in the form, defaults included.
    form.kind.data = period.kind
    form.year.data = period.params.get("year", period.start.year)
    form.month.data = str(period.params.get("month", period.start.month))
    form.quarter.data = str(period.params.get("quarter", (period.start.month - 1) // 3 + 1))
    form.from_.data, form.to.data = period.start, period.end
    return form, period, 200


@bp.get("/stats")
@roles_required(*STAFF)
def period_stats():
    form, period, status = _period_or_error()
    figures = stats.period_stats(period)
    return render_template(
        "reports/period_stats.html",
        form=form,
        period=period,
        figures=figures,
        tables=stats.tables(figures),
        charts=_charts(figures),
        export=lambda key, fmt: url_for("reports.period_stats_export", key=key, fmt=fmt, **period.params),
    ), status


@bp.get("/stats/export/<key>/<fmt>")
@roles_required(*STAFF)
def period_stats_export(key: str, fmt: str):
    period = parse_period(request.args)
    figures = stats.period_stats(period)
    return _export(stats.tables(figures), key, fmt, f"thong-ke-{period.start:%Y%m%d}-{period.end:%Y%m%d}", period.title)


@bp.get("/stats/report.docx")
@roles_required(*STAFF)
def period_report():
    period = parse_period(request.args)
    figures = stats.period_stats(period)
    body = current_user.unit
    if body is None:
        body = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1))
    name = body.name if body is not None else ""
    from .docx_period import period_docx

    data = period_docx(
        issuing_body=name.upper(),
        place=place_from_unit_name(name),
        today=today_local(),
        period_title=period.title,
        stats=figures,
        tables=stats.tables(figures),
    )
    return docx_response(data, f"bao-cao-doi-thoai-{period.start:%Y%m%d}-{period.end:%Y%m%d}.docx")
