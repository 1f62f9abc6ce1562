"""Pages of the periodic reports (list, draft, publish, Word file) and of the office's document profile (format
figures, and how each unit signs). Thin: the services decide."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core.access import STAFF, roles_required
from ..core.errors import Conflict, DomainError
from ..core.nav import ADMIN_GROUP, add_nav_item
from ..core.web import refuse
from ..extensions import db
from ..units.models import Unit
from . import period_reports as reports
from . import permissions
from .forms import IssuerForm, OpenReportForm, ReportForm, profile_form_class
from .issuer import issuer_rows, set_issuer
from .layout import compose, render
from .periods import parse_period
from .profile import FIGURES, current_profile, profile_revision, update_profile
from .views import TITLES, bp, docx_response, publish_form_for, publish_values, published_docx

add_nav_item("reports.period_reports", _l("Báo cáo định kỳ"), permissions.REPORT_READERS)
add_nav_item("reports.profile", _l("Thể thức văn bản"), permissions.PROFILE_ADMINS, group=ADMIN_GROUP)


def _report_or_404(report_id: int):
    report = reports.get_report(report_id)
    reports.check_report_scope(current_user, report)
    return report


def _report_page(report, content, versions, shown_version, publish_form, status: int = 200):
    return render_template(
        "reports/period_report.html",
        report=report,
        unit=db.session.get(Unit, report.issuing_unit_id),
        content=content,
        layout=compose(content),
        versions=versions,
        shown_version=shown_version,
        can_edit=permissions.can_edit_reports(current_user),
        publish_form=publish_form,
        title=TITLES["report"],
    ), status


@bp.get("/periodic")
@roles_required(*permissions.REPORT_READERS)
def period_reports():
    return render_template("reports/period_reports.html", rows=reports.reports_list(current_user))


@bp.post("/periodic/open")
@roles_required(*permissions.REPORT_EDITORS)
def open_period_report():
    form = OpenReportForm()
    if not form.validate_on_submit():
        flash(_("Phiên làm việc của biểu mẫu đã hết hạn. Xin thử lại."), "error")
        return redirect(url_for("reports.period_stats"))
    args = {k: v for k, v in request.form.items() if k != "csrf_token" and v}
    try:
        period = parse_period(args)
        unit_id = int(args.get("unit_id") or 0) or None
        report = reports.open_report(current_user, unit_id, period)
    except DomainError as exc:
        refuse(exc)
        return redirect(url_for("reports.period_stats"))
    except ValueError:
        flash(_("Đơn vị không hợp lệ."), "error")
        return redirect(url_for("reports.period_stats"))
    return redirect(url_for("reports.period_report_edit", report_id=report.id))


@bp.get("/periodic/<int:report_id>")
@roles_required(*permissions.REPORT_READERS)
def period_report(report_id: int):
    report = _report_or_404(report_id)
    versions = reports.report_versions(report)
    version = request.args.get("version", type=int)
    content = reports.report_version(report, version).content if version else reports.draft_content(report)
    return _report_page(report, content, versions, version, publish_form_for("report", content, versions))


@bp.get("/periodic/<int:report_id>/docx")
@roles_required(*permissions.REPORT_READERS)
def period_report_docx(report_id: int):
    report = _report_or_404(report_id)
    version = request.args.get("version", type=int)
    doc = reports.report_version(report, version) if version else next(iter(reports.report_versions(report)), None)
    stem = f"bao-cao-doi-thoai-{report.start_date:%Y%m%d}-{report.end_date:%Y%m%d}"
    if doc is not None:
        return docx_response(published_docx(doc), f"{stem}-v{doc.version}.docx")
    return docx_response(render(reports.draft_content(report)), f"{stem}-du-thao.docx")


@bp.route("/periodic/<int:report_id>/edit", methods=["GET", "POST"])
@roles_required(*permissions.REPORT_EDITORS)
def period_report_edit(report_id: int):
    report = _report_or_404(report_id)
    conflict = None
    status = 200
    if request.method == "GET":
        form = ReportForm(formdata=None, data={"revision": report.revision, **(report.fields or {})})
    else:
        form = ReportForm()
        if form.validate_on_submit():
            fields = {name: form[name].data or "" for name in ("term", *reports.SECTION_KEYS)}
            try:
                expected = int(form.revision.data or 0)
            except ValueError:
                expected = -1
            try:
                reports.save_report(current_user, report, fields, expected)
            except Conflict as exc:
                refuse(exc, form)
                status = 409
                db.session.refresh(report)
                conflict = dict(report.fields or {})
                form.revision.data = report.revision
            except DomainError as exc:
                refuse(exc, form)
                status = exc.status
            else:
                flash(_("Đã lưu bản thảo."), "success")
                return redirect(url_for("reports.period_report", report_id=report.id))
        else:
            status = 422
    return render_template(
        "reports/period_report_edit.html",
        report=report,
        unit=db.session.get(Unit, report.issuing_unit_id),
        form=form,
        conflict=conflict,
    ), status


@bp.post("/periodic/<int:report_id>/publish")
@roles_required(*permissions.REPORT_EDITORS)
def period_report_publish(report_id: int):
    from ..core.idempotency import run_once

    report = _report_or_404(report_id)
    versions = reports.report_versions(report)
    content = reports.draft_content(report)
    form = publish_form_for("report", content, versions, formdata=request.form)
    if not form.validate_on_submit():
        flash(_("Phiên làm việc của biểu mẫu đã hết hạn. Xin thử lại."), "error")
        return redirect(url_for("reports.period_report", report_id=report.id))
    try:
        revision = int(form.revision.data) if form.revision.data not in (None, "") else None
    except ValueError:
        revision = None

    def work():
        doc = reports.publish_report(current_user, report, revision=revision, **publish_values(form))
        return 200, {"version": doc.version, "symbol": doc.content["number"]["symbol"]}

    try:
        _code, body = run_once(current_user.id, form.idempotency_key.data, f"publish:report:{report.id}", work)
    except DomainError as exc:
        refuse(exc, form)
        db.session.refresh(report)
        return _report_page(report, content, reports.report_versions(report), None, form, exc.status)
    flash(_("Đã ban hành phiên bản %(n)s, số %(symbol)s.", n=body["version"], symbol=body["symbol"]), "success")
    return redirect(url_for("reports.period_report", report_id=report.id, version=body["version"]))


@bp.get("/stats/report.docx")
@roles_required(*STAFF)
def period_report_download():
    """The report of the chosen period and unit: its latest published version, else its draft as it stands."""
    from .stats_views import period_and_unit

    period, unit, _units = period_and_unit(request.args)
    if unit is None:
        return redirect(url_for("reports.period_stats"))
    report = reports.find_report(unit.id, period)
    stem = f"bao-cao-doi-thoai-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if report is not None:
        doc = next(iter(reports.report_versions(report)), None)
        if doc is not None:
            return docx_response(published_docx(doc), f"{stem}-v{doc.version}.docx")
        return docx_response(render(reports.draft_content(report)), f"{stem}-du-thao.docx")
    return docx_response(render(reports.report_content(unit, period)), f"{stem}-du-thao.docx")


# The document profile --------------------------------------------------------------------------------------------


def _issuer_form(formdata=None) -> IssuerForm:
    form = IssuerForm(formdata=formdata)
    form.unit_id.choices = [(row["unit"].id, row["unit"].name) for row in issuer_rows()]
    return form


def _profile_page(form, issuer_form, status: int = 200):
    return render_template(
        "reports/profile.html",
        form=form,
        figures=FIGURES,
        issuer_form=issuer_form,
        issuers=issuer_rows(),
    ), status


@bp.route("/profile", methods=["GET", "POST"])
@roles_required(*permissions.PROFILE_ADMINS)
def profile():
    form_class = profile_form_class()
    if request.method == "GET":
        form = form_class(formdata=None, data={"revision": profile_revision(), **current_profile()})
        return _profile_page(form, _issuer_form())
    form = form_class()
    if not form.validate_on_submit():
        return _profile_page(form, _issuer_form(), 422)
    values = {name: form[name].data for name in FIGURES}
    try:
        update_profile(current_user, values, int(form.revision.data or 0))
    except DomainError as exc:
        refuse(exc, form)
        return _profile_page(form, _issuer_form(), exc.status)
    flash(_("Đã lưu thể thức văn bản."), "success")
    return redirect(url_for("reports.profile"))


@bp.post("/profile/issuers")
@roles_required(*permissions.PROFILE_ADMINS)
def profile_issuer():
    issuer_form = _issuer_form(request.form)
    form_class = profile_form_class()
    form = form_class(formdata=None, data={"revision": profile_revision(), **current_profile()})
    if not issuer_form.validate_on_submit():
        return _profile_page(form, issuer_form, 422)
    try:
        set_issuer(
            current_user,
            issuer_form.unit_id.data,
            symbol=issuer_form.symbol.data,
            superior_body=issuer_form.superior_body.data,
        )
    except DomainError as exc:
        refuse(exc, issuer_form)
        return _profile_page(form, issuer_form, exc.status)
    flash(_("Đã lưu cách ký văn bản của đơn vị."), "success")
    return redirect(url_for("reports.profile") + "#issuers")
