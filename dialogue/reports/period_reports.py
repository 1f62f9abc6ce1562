"""Periodic reports (month, Q1, six months, nine months, year) of an issuing unit: figures as of the end of the
period over the unit's subtree, the assessment sections the secretariat writes (a draft guarded by a revision),
then published like the session's documents: a number from the register, a signer, recipients, a frozen version.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.services import record as audit
from ..core.errors import Conflict, Invalid, NotFound
from ..core.text import nfc
from ..core.timeutil import format_date, now, today_local
from ..extensions import db
from ..units.models import Unit
from .docx_period import REPORT_SECTIONS, figures_sentence
from .issuer import issuer_of
from .models import PeriodReport, PublishedDocument
from .periods import Period, parse_period
from .permissions import check_report_editor, check_report_reader
from .profile import current_profile, normalize_term
from .record import vietnamese_date_line
from .register import parse_wanted, take_number
from .services import FIELD_LIMIT, _freeze
from .signing import default_recipients, default_signing, signing_for
from .stats import period_stats
from .stats_tables import formatted_rows, tables

SECTION_KEYS = tuple(key for key, _title in REPORT_SECTIONS)
TERM_LIMIT = 20


def issuing_units(user: User) -> list[Unit]:
    """The units a person may report for: their own unit and the committees beneath it (all, without a unit)."""
    stmt = select(Unit).where(Unit.kind.not_in(("cell", "group")), Unit.active.is_(True)).order_by(Unit.name)
    if user.unit_id is not None:
        from ..units.services import descendant_ids

        stmt = stmt.where(Unit.id.in_(sorted(descendant_ids([user.unit_id]))))
    return list(db.session.scalars(stmt))


def default_issuing_unit(user: User) -> Unit | None:
    units = issuing_units(user)
    own = next((u for u in units if u.id == user.unit_id), None)
    if own is not None:
        return own
    roots = [u for u in units if u.parent_id is None]
    return roots[0] if roots else (units[0] if units else None)


def check_issuing_unit(user: User, unit_id: int | None) -> Unit:
    unit = next((u for u in issuing_units(user) if u.id == unit_id), None)
    if unit is None:
        raise Invalid(
            _l("Xin chọn đơn vị ban hành báo cáo (cấp ủy trong phạm vi của bạn)."),
            fields={"unit_id": [str(_l("Không hợp lệ."))]},
        )
    return unit


def get_report(report_id: int) -> PeriodReport:
    report = db.session.get(PeriodReport, report_id)
    if report is None:
        raise NotFound(_l("Không tìm thấy báo cáo."))
    return report


def check_report_scope(user: User, report: PeriodReport) -> None:
    """A report is seen only by the staff of its issuing unit or of a unit above it."""
    check_report_reader(user)
    if all(u.id != report.issuing_unit_id for u in issuing_units(user)):
        raise NotFound(_l("Không tìm thấy báo cáo."))


def find_report(unit_id: int, period: Period) -> PeriodReport | None:
    return db.session.scalar(
        select(PeriodReport).where(
            PeriodReport.issuing_unit_id == unit_id,
            PeriodReport.period_kind == period.kind,
            PeriodReport.start_date == period.start,
            PeriodReport.end_date == period.end,
        )
    )


def open_report(actor: User, unit_id: int | None, period: Period) -> PeriodReport:
    """The report of a unit for a period, created (empty) the first time it is opened for writing."""
    check_report_editor(actor)
    unit = check_issuing_unit(actor, unit_id)
    existing = find_report(unit.id, period)
    if existing is not None:
        return existing
    report = PeriodReport(
        issuing_unit_id=unit.id,
        period_kind=period.kind,
        start_date=period.start,
        end_date=period.end,
        title=period.title,
        params=dict(period.params),
        fields={},
        revision=0,
        created_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
    except IntegrityError:  # opened by someone else at the same moment
        found = find_report(unit.id, period)
        if found is None:
            raise
        return found
    audit(actor, "period_report.create", report, after={"unit_id": unit.id, "period": period.title})
    return report


def report_period(report: PeriodReport) -> Period:
    return parse_period(report.params)


def save_report(actor: User, report: PeriodReport, fields: dict, revision: int) -> PeriodReport:
    """Saves the assessment sections; a save in between (another revision) is refused and nothing is lost."""
    check_report_editor(actor)
    clean, errors = {}, {}
    for key in SECTION_KEYS:
        text = nfc(fields.get(key) or "") or ""
        if len(text) > FIELD_LIMIT:
            errors[key] = [str(_l("Quá dài (tối đa %(n)s ký tự).", n=FIELD_LIMIT))]
        clean[key] = text
    term = normalize_term(fields.get("term"))
    if len(term) > TERM_LIMIT:
        errors["term"] = [str(_l("Quá dài (tối đa %(n)s ký tự).", n=TERM_LIMIT))]
    clean["term"] = term
    if errors:
        raise Invalid(_l("Có phần quá dài, xin rút gọn."), fields=errors)
    before = {"fields": report.fields, "revision": report.revision}
    result = db.session.execute(
        update(PeriodReport)
        .where(PeriodReport.id == report.id, PeriodReport.revision == revision)
        .values(fields=clean, revision=PeriodReport.revision + 1, updated_at=now(), updated_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(
            _l(
                "Báo cáo vừa được người khác lưu trong lúc bạn soạn nên chưa lưu phần của bạn. Nội dung bạn nhập "
                "vẫn còn nguyên; bản người kia đã lưu hiện dưới từng ô. Xin đối chiếu rồi bấm Lưu lần nữa."
            ),
            code="stale_revision",
        )
    db.session.refresh(report)
    audit(actor, "period_report.save", report, before=before, after={"fields": clean, "revision": report.revision})
    return report


def report_content(unit: Unit, period: Period, fields: dict | None = None, revision: int = 0) -> dict:
    """The report as it would be published now: figures as of the end of the period (or now), the sections."""
    with force_locale("vi"):
        profile = current_profile()
        issuer = issuer_of(unit, profile)
        figures = period_stats(period, unit.id)
        ended = period.end_utc <= now()
        as_of_day = period.end if ended else today_local()
        day = today_local()
        fields = fields or {}
        report_tables = []
        for table in tables(figures):
            report_tables.append(
                {
                    "key": table["key"],
                    "title": table["title"],
                    "columns": [
                        {"title": c["title"], "width": c["width"], "numeric": c["numeric"]} for c in table["columns"]
                    ],
                    "rows": formatted_rows(table),
                    "wide": table.get("wide", False),
                }
            )
        return {
            "kind": "report",
            "doc_type": "BC",
            "profile": profile,
            "issuer": issuer,
            "term": normalize_term(fields.get("term")) or profile["current_term"],
            "place": issuer["place"],
            "date": day.isoformat(),
            "date_line": vietnamese_date_line(issuer["place"], day),
            "number": None,
            "draft_revision": revision,
            "period": {
                "kind": period.kind,
                "title": period.title,
                "start": format_date(period.start),
                "end": format_date(period.end),
                "params": dict(period.params),
            },
            "as_of": format_date(as_of_day),
            "figures_text": figures_sentence(figures),
            "tables": report_tables,
            "sections": {key: fields.get(key, "") for key in SECTION_KEYS},
            "signing": default_signing("report", None, profile, issuer),
            "recipients": default_recipients("report", None, issuer),
        }


def draft_content(report: PeriodReport) -> dict:
    unit = db.session.get(Unit, report.issuing_unit_id)
    return report_content(unit, report_period(report), report.fields or {}, report.revision)


def report_versions(report: PeriodReport) -> list[PublishedDocument]:
    return list(
        db.session.scalars(
            select(PublishedDocument)
            .where(PublishedDocument.period_report_id == report.id)
            .order_by(PublishedDocument.version.desc())
        )
    )


def report_version(report: PeriodReport, version: int) -> PublishedDocument:
    doc = db.session.scalar(
        select(PublishedDocument).where(
            PublishedDocument.period_report_id == report.id, PublishedDocument.version == version
        )
    )
    if doc is None:
        raise NotFound(_l("Không có phiên bản này."))
    return doc


def publish_report(
    actor: User,
    report: PeriodReport,
    *,
    signer_id: int | None,
    signing: str | None,
    recipients: list[str] | str | None,
    number=None,
    collective: str | None = None,
    title: str | None = None,
    revision: int | None = None,
) -> PublishedDocument:
    """Freezes the report as version n+1 with its number, signer and recipients. The secretariat's assessment is
    what makes it a report: it must be written."""
    check_report_editor(actor)
    db.session.execute(select(PeriodReport.id).where(PeriodReport.id == report.id).with_for_update())
    db.session.refresh(report)
    if revision is not None and revision != report.revision:
        raise Conflict(
            _l("Báo cáo vừa được sửa sau khi bạn mở trang. Xin xem lại bản mới nhất rồi ban hành."),
            code="stale_revision",
        )
    if not (report.fields or {}).get("assessment"):
        raise Conflict(_l("Xin soạn phần đánh giá chung trước khi ban hành báo cáo."), code="no_assessment")
    wanted = parse_wanted(number)
    content = draft_content(report)
    block = signing_for(
        "report",
        content,
        signer_id=signer_id,
        signing=signing,
        collective=collective,
        title=title,
        recipients=recipients,
    )
    content["signing"], content["recipients"] = block["signing"], block["recipients"]
    entry = take_number(
        actor,
        issuer=content["issuer"],
        kind="report",
        term=content["term"],
        period_report_id=report.id,
        wanted=wanted,
    )
    version = (
        db.session.scalar(
            select(func.max(PublishedDocument.version)).where(PublishedDocument.period_report_id == report.id)
        )
        or 0
    ) + 1
    return _freeze(actor, content, entry, version, period_report_id=report.id, draft_revision=report.revision)


def reports_list(user: User, limit: int = 50) -> list[dict]:
    """The latest periodic reports of the units a person may report for, with their latest version (2 queries)."""
    check_report_reader(user)
    unit_ids = [u.id for u in issuing_units(user)]
    if not unit_ids:
        return []
    rows = list(
        db.session.execute(
            select(PeriodReport, Unit.name)
            .join(Unit, Unit.id == PeriodReport.issuing_unit_id)
            .where(PeriodReport.issuing_unit_id.in_(unit_ids))
            .order_by(PeriodReport.end_date.desc(), PeriodReport.id.desc())
            .limit(limit)
        )
    )
    latest = {}
    if rows:
        for report_id, version in db.session.execute(
            select(PublishedDocument.period_report_id, func.max(PublishedDocument.version))
            .where(PublishedDocument.period_report_id.in_([r.id for r, _name in rows]))
            .group_by(PublishedDocument.period_report_id)
        ):
            latest[report_id] = version
    return [{"report": r, "unit": name, "version": latest.get(r.id)} for r, name in rows]
