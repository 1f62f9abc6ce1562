"""GET /api/v1/calendar?year=YYYY: the year's non-working days and the office's exceptions, so that a client
counts working days as the app does."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..calendar import services
from ..calendar.models import EXCEPTION_KINDS
from ..calendar.workcalendar import BY_LAW, BY_OFFICE, HOLIDAY, OFFICE_DAY_OFF, WEEKEND
from ..core.timeutil import isoformat, today_local
from .core import api_route


class CalendarQuerySchema(Schema):
    year = fields.Integer(
        load_default=lambda: today_local().year,
        validate=validate.Range(min=services.FIRST_YEAR, max=services.LAST_YEAR),
        metadata={"description": "Năm (mặc định: năm nay)"},
    )


class CalendarNonWorkingDaySchema(Schema):
    date = fields.Date(metadata={"description": "YYYY-MM-DD"})
    kind = fields.String(
        validate=validate.OneOf((WEEKEND, HOLIDAY, OFFICE_DAY_OFF)),
        metadata={"description": "weekend: thứ Bảy, Chủ nhật; holiday: ngày lễ, Tết; day_off: cơ quan cho nghỉ"},
    )
    name = fields.String(allow_none=True, metadata={"description": "Tên ngày lễ, hoặc lý do cơ quan ghi"})


class CalendarWorkingWeekendDaySchema(Schema):
    date = fields.Date()
    source = fields.String(
        validate=validate.OneOf((BY_LAW, BY_OFFICE)),
        metadata={"description": "law: làm bù theo quy định; office: cơ quan thêm"},
    )


class CalendarExceptionSchema(Schema):
    id = fields.Integer()
    date = fields.Date(attribute="day")
    kind = fields.String(validate=validate.OneOf(EXCEPTION_KINDS))
    note = fields.String()
    created_at = fields.Function(lambda e: isoformat(e.created_at))


class CalendarYearSchema(Schema):
    year = fields.Integer()
    working_days_count = fields.Integer()
    non_working_days = fields.List(fields.Nested(CalendarNonWorkingDaySchema))
    working_weekend_days = fields.List(fields.Nested(CalendarWorkingWeekendDaySchema))
    exceptions = fields.List(fields.Nested(CalendarExceptionSchema))


@api_route(
    "/calendar",
    summary="Lịch làm việc của một năm: ngày nghỉ (cuối tuần, lễ, Tết, cơ quan cho nghỉ) và ngày làm bù",
    query=CalendarQuerySchema,
    response=CalendarYearSchema,
    tags=("calendar",),
)
def calendar_year(query: dict):
    overview = services.year_overview(query["year"], "vi")
    notes = {e.day: e.note for e in overview["exceptions"]}
    return {
        "year": overview["year"],
        "working_days_count": overview["working_days_count"],
        "non_working_days": [
            {"date": day, "kind": kind, "name": notes.get(day) if kind == OFFICE_DAY_OFF else name}
            for day, kind, name in overview["non_working_days"]
        ],
        "working_weekend_days": [{"date": day, "source": source} for day, source in overview["working_weekend_days"]],
        "exceptions": overview["exceptions"],
    }
