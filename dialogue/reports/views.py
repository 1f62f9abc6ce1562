"""Pages of the minutes and the conclusion notice: the draft, the editor, publishing, the Word files. Thin: the
services decide. The periodic reports and the profile are in ``report_views``, the statistics in ``stats_views``
(the same blueprint)."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core.access import STAFF, roles_required
from ..core.errors import Conflict, DomainError
from ..core.idempotency import run_once
from ..core.inputs import text_problem
from ..core.nav import add_nav_item
from ..core.web import refuse
from ..home.services import register_section
from . import permissions, services
from .exports import DOCX_MIMETYPE
from .forms import ConclusionForm, MinutesForm, PublishForm, TaskForm
from .layout import compose
from .signing import signer_choices

bp = Blueprint("reports", __name__, url_prefix="/reports")
KIND = "documents/<kind>"
TITLES = {"minutes": _l("Biên bản"), "conclusion": _l("Thông báo kết luận"), "report": _l("Báo cáo định kỳ")}
FORMS = {"minutes": MinutesForm, "conclusion": ConclusionForm}
FILE_NAMES = {"minutes": "bien-ban", "conclusion": "thong-bao-ket-luan", "report": "bao-cao"}

add_nav_item("reports.period_stats", _l("Thống kê"), STAFF)
for _role in permissions.EDITORS:
    register_section(_role, "reports/_home_documents.html", services.documents_home, order=40)


@bp.app_context_processor
def _permissions() -> dict:
    return {"reports_can": permissions.template_helpers()}


def docx_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=DOCX_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def published_docx(doc) -> bytes:
    """The Word file as it was signed (rendered again only for a version stored before files were kept)."""
    if doc.docx:
        return doc.docx
    from .layout import render

    return render(doc.content)


def document_docx(session, kind: str, version: int | None = None) -> Response:
    """The Word file: a given published version, else the latest published, else the current draft."""
    services.check_kind(kind)
    if version is not None:
        doc = services.get_version(session, kind, version)
    else:
        doc = services.latest_published(session, kind)
    if doc is not None:
        data, suffix = published_docx(doc), f"-v{doc.version}"
    else:
        from .layout import render

        data, suffix = render(services.document_content(session, kind)), "-du-thao"
    return docx_response(data, f"{FILE_NAMES[kind]}-buoi-{session.id}{suffix}.docx")


def publish_form_for(kind: str, content: dict, versions: list, formdata=None) -> PublishForm:
    """The publish form, filled with the last version's choices (or the defaults)."""
    last = versions[0].content if versions else content
    signing = last.get("signing") or content["signing"]
    form = PublishForm(
        formdata=formdata,
        data={
            "revision": content.get("draft_revision", 0),
            "idempotency_key": uuid.uuid4().hex,
            "signer_id": signing.get("signer_id") or 0,
            "signing": signing.get("mode") or "tm",
            "collective": signing.get("collective") or "",
            "title": signing.get("title") or "",
            "recipients": "\n".join(last.get("recipients") or content["recipients"]),
        },
    )
    form.signer_id.choices = [(0, _("— Chọn người ký —"))] + [
        (u.id, u.name + (f" ({u.position})" if u.position else "")) for u in signer_choices(kind)
    ]
    return form


def publish_values(form: PublishForm) -> dict:
    return {
        "signer_id": form.signer_id.data or None,
        "signing": form.signing.data,
        "collective": form.collective.data,
        "title": form.title.data,
        "recipients": form.recipients.data or "",
        "number": (form.number.data or "").strip() or None,
    }


@bp.get(f"/sessions/<int:session_id>/{KIND}")
@roles_required(*permissions.READERS)
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
        layout=compose(content),
        versions=versions,
        shown_version=version,
        can_edit=permissions.can_edit_documents(current_user),
        can_publish=permissions.can_publish_documents(current_user),
        publish_form=publish_form_for(kind, content, versions),
    )


@bp.get(f"/sessions/<int:session_id>/{KIND}/docx")
@roles_required(*permissions.READERS)
def document_download(session_id: int, kind: str):
    session = services.get_session(session_id)
    return document_docx(session, kind, request.args.get("version", type=int))


def _keyed(prefix: str) -> dict:
    return {key.removeprefix(prefix): value for key, value in request.form.items() if key.startswith(prefix)}


def _unit_choices() -> list[tuple[int, str]]:
    from ..units.services import tree_rows

    return [(0, _("— Chọn đơn vị —"))] + [
        (unit.id, "\u00a0\u00a0" * depth + unit.name)
        for unit, depth in tree_rows(include_inactive=False)
        if unit.kind not in ("cell", "group")
    ]


@bp.route(f"/sessions/<int:session_id>/{KIND}/edit", methods=["GET", "POST"])
@roles_required(*permissions.EDITORS)
def edit(session_id: int, kind: str):
    session = services.get_session(session_id)
    services.check_kind(kind)
    saved, revision = services.draft_fields(session, kind)
    content = services.document_content(session, kind)
    form_class = FORMS[kind]

    def page(form, keyed: dict, conflict, status: int = 200):
        task_form = TaskForm(formdata=None)
        task_form.unit_id.choices = _unit_choices()
        return render_template(
            "reports/edit.html",
            session=session,
            kind=kind,
            title=TITLES[kind],
            form=form,
            content=content,
            keyed=keyed,
            conflict=conflict,
            task_form=task_form,
        ), status

    if request.method == "GET":
        defaults = {"revision": revision, **{k: v for k, v in saved.items() if isinstance(v, str)}}
        defaults.setdefault("place", content["place"])
        form = form_class(formdata=None, data=defaults)
        keyed = {
            "summary": {str(t["speaker_id"]): t["summary"] for t in content["record"]["turns"]},
            "absence": saved.get("absence_reasons") or {},
            "cooperating": saved.get("cooperating") or {},
        }
        return page(form, keyed, None)
    form = form_class()
    keyed = {"summary": _keyed("summary_"), "absence": _keyed("absence_"), "cooperating": _keyed("cooperating_")}
    conflict = None
    status = 200
    # The turns' summaries, absence reasons and co-operating units are fields of their own, outside the form class:
    # the same check as its text areas.
    typed = [v for group in keyed.values() for v in group.values()]
    summary_problems = [p for p in (text_problem(v, multiline=True) for v in typed) if p]
    for problem in dict.fromkeys(summary_problems):
        flash(problem, "error")
    if form.validate_on_submit() and not summary_problems:
        fields = {name: form[name].data or "" for name in services.TEXT_FIELDS[kind]}
        fields.update(summaries=keyed["summary"], absence_reasons=keyed["absence"], cooperating=keyed["cooperating"])
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
    return page(form, keyed, conflict, status)


@bp.post(f"/sessions/<int:session_id>/{KIND}/publish")
@roles_required(*permissions.PUBLISHERS)
def publish(session_id: int, kind: str):
    session = services.get_session(session_id)
    services.check_kind(kind)
    versions = services.published_versions(session, kind)
    content = services.document_content(session, kind)
    form = publish_form_for(kind, content, versions, formdata=request.form)
    if not form.validate_on_submit():
        abort(400)
    try:
        revision = int(form.revision.data) if form.revision.data not in (None, "") else None
    except ValueError:
        revision = None

    def work():
        doc = services.publish(current_user, session, kind, revision=revision, **publish_values(form))
        return 200, {"version": doc.version, "symbol": doc.content["number"]["symbol"]}

    try:
        _code, body = run_once(current_user.id, form.idempotency_key.data, f"publish:{session.id}:{kind}", work)
    except DomainError as exc:
        refuse(exc, form)
        return render_template(
            "reports/document.html",
            session=session,
            kind=kind,
            title=TITLES[kind],
            content=content,
            layout=compose(content),
            versions=services.published_versions(session, kind),
            shown_version=None,
            can_edit=permissions.can_edit_documents(current_user),
            can_publish=True,
            publish_form=form,
        ), exc.status
    flash(_("Đã ban hành phiên bản %(n)s, số %(symbol)s.", n=body["version"], symbol=body["symbol"]), "success")
    return redirect(url_for("reports.document", session_id=session.id, kind=kind, version=body["version"]))


@bp.post(f"/sessions/<int:session_id>/{KIND}/tasks")
@roles_required(*permissions.EDITORS)
def take_up(session_id: int, kind: str):
    """A promise made in a response becomes a task (a commitment) that the notice lists."""
    from .tasks import take_up_promise

    session = services.get_session(session_id)
    services.check_kind(kind)
    form = TaskForm()
    form.unit_id.choices = _unit_choices()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("reports.edit", session_id=session.id, kind="conclusion") + "#promises")
    try:
        take_up_promise(
            current_user,
            session,
            response_id=int(form.response_id.data),
            description=form.description.data,
            unit_id=form.unit_id.data,
            due_date=form.due_date.data,
        )
    except (DomainError, ValueError) as exc:
        if isinstance(exc, DomainError):
            refuse(exc)
        else:
            abort(400)
    else:
        flash(_("Đã giao nhiệm vụ; thông báo kết luận liệt kê nhiệm vụ này."), "success")
    return redirect(url_for("reports.edit", session_id=session.id, kind="conclusion") + "#promises")


from . import report_views, stats_views  # noqa: E402,F401  (periodic reports, profile, statistics: this blueprint)
