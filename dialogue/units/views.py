"""Admin pages for the organisation tree and the import of members."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.access import ADMINS, roles_required
from ..core.errors import DomainError
from ..core.permissions import can
from ..core.web import refuse
from . import services
from .forms import ImportConfirmForm, ImportForm, UnitForm

bp = Blueprint("units", __name__, url_prefix="/admin/units")


def _parent_choices(exclude: set[int] | None = None) -> list[tuple[int, str]]:
    exclude = exclude or set()
    top = [(0, _("— Cấp cao nhất —"))] if can(current_user, "units.manage", None) else []
    return top + [
        (unit.id, "\u00a0\u00a0" * depth + unit.name)
        for unit, depth in services.tree_rows(include_inactive=False, viewer=current_user)
        if unit.id not in exclude
    ]


@bp.get("/")
@roles_required(*ADMINS)
def index():
    return render_template(
        "units/index.html", rows=services.tree_rows(viewer=current_user), form=UnitForm(formdata=None)
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def new():
    form = UnitForm()
    form.parent_id.choices = _parent_choices()
    if request.method == "GET" and request.args.get("parent_id", type=int):
        form.parent_id.data = request.args.get("parent_id", type=int)
    if form.validate_on_submit():
        try:
            unit = services.create_unit(
                current_user, name=form.name.data, kind=form.kind.data, parent_id=form.parent_id.data or None
            )
        except DomainError as exc:
            refuse(exc, form)
        else:
            flash(_("Đã tạo đơn vị %(name)s.", name=unit.name), "success")
            return redirect(url_for("units.index") + f"#unit-{unit.id}")
    return render_template("units/form.html", form=form, unit=None), 422 if form.errors else 200


@bp.route("/<int:unit_id>", methods=["GET", "POST"])
@roles_required(*ADMINS)
def edit(unit_id: int):
    unit = services.get_unit(unit_id, current_user)
    form = UnitForm(obj=unit) if request.method == "GET" else UnitForm()
    form.parent_id.choices = _parent_choices(exclude=services.descendant_ids([unit.id]))
    if request.method == "GET":
        form.parent_id.data = unit.parent_id or 0
    if form.validate_on_submit():
        try:
            if form.name.data != unit.name or form.kind.data != unit.kind:
                services.rename_unit(current_user, unit, form.name.data, form.kind.data)
            if (form.parent_id.data or None) != unit.parent_id:
                services.move_unit(current_user, unit, form.parent_id.data or None)
        except DomainError as exc:
            refuse(exc, form)
        else:
            flash(_("Đã lưu."), "success")
            return redirect(url_for("units.index") + f"#unit-{unit.id}")
    return render_template("units/form.html", form=form, unit=unit, has_history=services.has_history(unit)), (
        422 if form.errors else 200
    )


@bp.post("/<int:unit_id>/active")
@roles_required(*ADMINS)
def toggle_active(unit_id: int):
    unit = services.get_unit(unit_id, current_user)
    services.set_active(current_user, unit, not unit.active)
    flash(_("Đã kích hoạt lại đơn vị.") if unit.active else _("Đã ngừng hoạt động đơn vị."), "success")
    return redirect(url_for("units.index") + f"#unit-{unit.id}")


@bp.post("/<int:unit_id>/delete")
@roles_required(*ADMINS)
def delete(unit_id: int):
    unit = services.get_unit(unit_id, current_user)
    try:
        services.delete_unit(current_user, unit)
    except DomainError as exc:
        refuse(exc)
        return redirect(url_for("units.edit", unit_id=unit_id))
    flash(_("Đã xóa đơn vị."), "success")
    return redirect(url_for("units.index"))


# Import of members ----------------------------------------------------------------------------------------


def _import_dir() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored_import(import_id: str) -> tuple[str, bytes]:
    if not re.fullmatch(r"[0-9a-f]{32}\.(csv|xlsx)", import_id or ""):
        abort(404)
    path = _import_dir() / import_id
    if not path.exists():
        abort(404)
    return path.name, path.read_bytes()


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*ADMINS)
def import_members():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        suffix = Path(upload.filename or "").suffix.lower()
        import_id = f"{uuid.uuid4().hex}{suffix}"
        data = upload.read()
        try:
            from . import importer

            result = importer.preview(import_id, data)
        except DomainError as exc:
            refuse(exc, form)
        else:
            (_import_dir() / import_id).write_bytes(data)
            return render_template(
                "units/import_preview.html",
                result=result,
                filename=upload.filename,
                confirm=ImportConfirmForm(import_id=import_id),
            )
    return render_template("units/import.html", form=form), 422 if form.errors else 200


@bp.post("/import/confirm")
@roles_required(*ADMINS)
def import_confirm():
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    name, data = _stored_import(form.import_id.data)
    try:
        from . import importer

        counts = importer.apply(current_user, name, data)
    except DomainError as exc:
        refuse(exc)
        return redirect(url_for("units.import_members"))
    (_import_dir() / name).unlink(missing_ok=True)
    flash(
        _(
            "Đã nhập: %(c)s người mới, %(u)s cập nhật, %(n)s không đổi, %(cells)s chi bộ mới.",
            c=counts["created"],
            u=counts["updated"],
            n=counts["unchanged"],
            cells=counts["cells_created"],
        ),
        "success",
    )
    return redirect(url_for("units.index"))
