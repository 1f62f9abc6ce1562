"""The admin's page of the year's calendar: the law's holidays, the office's days off and make-up working days."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core.access import roles_required
from ..core.errors import DomainError
from ..core.nav import ADMIN_GROUP, add_nav_item
from ..core.timeutil import format_date, today_local
from ..core.web import refuse
from . import services
from .forms import ExceptionForm
from .models import DAY_OFF
from .permissions import CALENDAR_EDITOR_ROLES, can_change_calendar

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")

add_nav_item("calendar.index", _l("Lịch làm việc"), CALENDAR_EDITOR_ROLES, group=ADMIN_GROUP)

WEEKDAY_NAMES = (
    _l("Thứ Hai"),
    _l("Thứ Ba"),
    _l("Thứ Tư"),
    _l("Thứ Năm"),
    _l("Thứ Sáu"),
    _l("Thứ Bảy"),
    _l("Chủ nhật"),
)


def _year_asked() -> int:
    """The year in the address; a wrong one is said, and the current year shown."""
    value = request.args.get("year")
    if not value:
        return today_local().year
    try:
        return services.check_year(value)
    except DomainError as exc:
        flash(exc.message, "error")
        return today_local().year


def _page(year: int, form: ExceptionForm, status: int = 200):
    language = str(get_locale() or "vi").split("_")[0]
    return render_template(
        "calendar/index.html",
        year=year,
        overview=services.year_overview(year, language),
        form=form,
        can_change=can_change_calendar(current_user),
        weekday_names=WEEKDAY_NAMES,
        first_year=services.FIRST_YEAR,
        last_year=services.LAST_YEAR,
    ), status


@bp.get("")
@roles_required(*CALENDAR_EDITOR_ROLES)
def index():
    return _page(_year_asked(), ExceptionForm(formdata=None))


@bp.post("/exceptions")
@roles_required(*CALENDAR_EDITOR_ROLES)
def add():
    year = _year_asked()
    form = ExceptionForm()
    if form.validate_on_submit():
        try:
            exception = services.add_exception(current_user, form.parsed_day, form.kind.data, form.note.data)
        except DomainError as exc:
            refuse(exc, form)
            return _page(year, form, exc.status)
        message = (
            _("Đã thêm ngày nghỉ %(day)s.", day=format_date(exception.day))
            if exception.kind == DAY_OFF
            else _("Đã thêm ngày làm việc %(day)s.", day=format_date(exception.day))
        )
        flash(message, "success")
        return redirect(url_for("calendar.index", year=exception.day.year) + "#exceptions")
    return _page(year, form, 422)


@bp.post("/exceptions/<int:exception_id>/delete")
@roles_required(*CALENDAR_EDITOR_ROLES)
def remove(exception_id: int):
    exception = services.get_exception(exception_id)
    year, day = exception.day.year, exception.day
    try:
        services.remove_exception(current_user, exception)
    except DomainError as exc:
        refuse(exc)
        return _page(year, ExceptionForm(formdata=None), exc.status)
    flash(
        _("Đã xóa ngày %(day)s khỏi lịch của cơ quan; ngày này tính theo lịch chung.", day=format_date(day)), "success"
    )
    return redirect(url_for("calendar.index", year=year) + "#exceptions")
