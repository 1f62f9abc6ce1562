"""Every main page of every role, in Chromium on a 360 × 740 phone and a 1366 × 768 laptop, over a district's
worth of real content: axe-core finds no violation, nothing overflows the phone's width, and every button, menu
and check box is big enough to hit with a thumb.

The content is the demo district (10 communes, 200 cell secretaries, the article's ended session with its record
and follow-up) plus a session in every other state, submissions in every status, a live queue with a speaker on
the clock, responses and commitments in every state, so that the checks see the pages as the hall sees them.
axe-core is vendored in tests/vendor/ (nothing is fetched at run time); the strict CSP is bypassed for the test's
browser context only, so that the script can be added to the page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import _empty_tables
from sqlalchemy import select

from dialogue.accounts.models import User
from dialogue.accounts.services import find_by_login
from dialogue.core.timeutil import now, today_local
from dialogue.demo.seed import DEMO_PASSWORD, seed_accounts, seed_tree
from dialogue.extensions import db
from dialogue.followups import services as followups
from dialogue.followups.models import Commitment
from dialogue.live import services as live
from dialogue.notifications.services import OUTBOX, notify
from dialogue.questions import services as questions
from dialogue.questions.models import Question
from dialogue.reports.demo import TITLE as ARTICLE_TITLE
from dialogue.reports.demo import seed_article_session
from dialogue.responses import services as responses
from dialogue.sessions import services as sessions
from dialogue.sessions.demo import TITLE as OPEN_TITLE
from dialogue.sessions.demo import seed_open_session
from dialogue.sessions.models import DialogueSession, Invitation
from dialogue.units.models import Unit

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 768}
LOGINS = {
    "admin": "admin@demo.vn",
    "organizer": "vanphong@demo.vn",
    "host": "bithu@demo.vn",
    "secretariat": "ubkt@demo.vn",
    "unit": "binhan@demo.vn",
    "secretary": "bithuchibo@demo.vn",
}


@dataclass
class Hall:
    """What the seed made, by name: the pages are addressed through it."""

    sessions: dict[str, int]
    questions: dict[str, int]
    commitments: dict[str, int]
    unit_id: int
    other_user_id: int
    projector_secret: str
    quiet_projector: str
    pages: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def _commit(value=None):
    db.session.commit()
    return value


def _schedule(organizer, host, district, communes, *, title, days_ahead, close_in_days) -> DialogueSession:
    start = now() + timedelta(days=days_ahead)
    return _commit(
        sessions.create_session(
            organizer,
            title=title,
            topic="Công tác kiểm tra, giám sát",
            term="2020–2025",
            venue="Hội trường Huyện ủy Châu Thành",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            questions_close_at=now() + timedelta(days=close_in_days),
            turn_seconds=300,
            host_unit_id=district.id,
            invited_unit_ids=[c.id for c in communes],
            host_ids=[host.id],
        )
    )


def _status(organizer, session, *steps):
    for step in steps:
        _commit(sessions.change_status(organizer, session, step))


def _invitees(session_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Invitation, Invitation.user_id == User.id)
            .where(Invitation.session_id == session_id)
            .order_by(Invitation.unit_id, User.id)
        )
    )


def _submit(author, session, kind, topic, body) -> Question:
    question, _created = questions.submit_question(author, session, kind=kind, topic=topic, body=body)
    return _commit(question)


def seed_hall() -> Hall:
    seed_tree()
    seed_accounts()
    seed_open_session()
    seed_article_session()
    users = {role: find_by_login(login) for role, login in LOGINS.items()}
    organizer, host, secretariat, secretary = (users[r] for r in ("organizer", "host", "secretariat", "secretary"))
    district = db.session.scalar(select(Unit).where(Unit.name == "Huyện ủy Châu Thành"))
    communes = list(
        db.session.scalars(
            select(Unit).where(Unit.name.in_(("Đảng ủy xã Bình An", "Đảng ủy xã Giục Tượng"))).order_by(Unit.id)
        )
    )
    binh_an = communes[0]

    # The demo's open session: one submission in every status a moderator can give it before the session.
    open_session = db.session.scalar(select(DialogueSession).where(DialogueSession.title == OPEN_TITLE))
    submitted = list(db.session.scalars(select(Question).where(Question.session_id == open_session.id)))
    mine, second, third, fourth, duplicate = sorted(submitted, key=lambda q: q.id)
    _commit(questions.accept_question(organizer, mine))
    _commit(questions.accept_question(organizer, third))
    _commit(questions.assign_question(organizer, third, host.id))
    _commit(questions.return_question(organizer, second, "Xin nêu rõ chi bộ gặp vướng mắc ở bước nào của quy trình."))
    _commit(questions.merge_question(organizer, duplicate, mine))
    withdrawn = _submit(
        secretary, open_session, "question", "Thủ tục", "Xin hỏi thời hạn nộp báo cáo kiểm tra cuối năm của chi bộ?"
    )
    _commit(questions.withdraw_question(secretary, withdrawn))
    own_pending = _submit(
        secretary,
        open_session,
        "proposal",
        "Giám sát chuyên đề",
        "Đề xuất mỗi năm chi bộ chọn một chuyên đề giám sát gắn với việc thực hiện quy chế dân chủ ở ấp.",
    )
    _commit(sessions.set_rsvp(secretary, open_session, "accepted"))

    draft = _schedule(
        organizer,
        host,
        district,
        communes,
        title="Đối thoại về công tác phát triển đảng viên",
        days_ahead=40,
        close_in_days=30,
    )
    closed = _schedule(
        organizer,
        host,
        district,
        communes,
        title="Đối thoại về xây dựng chi bộ ấp vững mạnh",
        days_ahead=6,
        close_in_days=3,
    )
    _status(organizer, closed, "open", "closed")

    # A session on the day: check-in, a queue with one speaker on the clock, answers and the tasks they gave.
    live_session = _schedule(
        organizer,
        host,
        district,
        communes,
        title="Tiếp xúc, đối thoại trực tiếp về kiểm tra, giám sát năm 2026",
        days_ahead=1,
        close_in_days=0.5,
    )
    _status(organizer, live_session, "open")
    people = _invitees(live_session.id)
    speakers = [secretary, *[p for p in people if p.id != secretary.id][:5]]
    topics = [
        ("recommendation", "Biểu mẫu kiểm tra", "Đề nghị rút gọn biểu mẫu hồ sơ kiểm tra đảng viên cho chi bộ ấp."),
        ("question", "Giám sát nơi cư trú", "Chi bộ ấp giám sát đảng viên công tác ở cơ quan huyện bằng cách nào?"),
        ("opinion", "Tập huấn", "Cán bộ kiểm tra chi bộ kiêm nhiệm nhiều việc, chưa được tập huấn nghiệp vụ."),
        ("proposal", "Kinh phí", "Đề xuất hỗ trợ kinh phí cho hoạt động kiểm tra, giám sát của chi bộ."),
    ]
    live_questions = []
    for person, (kind, topic, body) in zip(speakers, topics, strict=False):
        q = _submit(person, live_session, kind, topic, body)
        _commit(questions.accept_question(organizer, q))
        live_questions.append(q)
    _status(organizer, live_session, "live")
    for person in people[: len(people) * 3 // 4]:
        _commit(live.check_in(organizer, live_session.id, person.id))
    for i, person in enumerate(speakers):
        question_id = live_questions[i].id if i < len(live_questions) else None
        _commit(live.request_to_speak(organizer, live_session.id, user_id=person.id, question_id=question_id))
    first = _commit(live.next_speaker(organizer, live_session.id))
    _commit(live.update_turn(organizer, first.id, summary="Đề nghị rút gọn biểu mẫu, có hướng dẫn mẫu cho chi bộ."))
    answer = _commit(
        responses.record_response(
            organizer,
            session_id=live_session.id,
            kind="answered",
            text="Ủy ban Kiểm tra Huyện ủy sẽ ban hành bộ biểu mẫu rút gọn trong tháng tới.",
            responder_id=host.id,
            question_ids=[live_questions[0].id],
            speaker_id=first.id,
        )
    )
    _commit(live.next_speaker(organizer, live_session.id))  # the second is on the clock, four are waiting
    projector_secret = _commit(live.ensure_projector_secret(db.session.get(DialogueSession, live_session.id)))
    quiet_projector = _commit(live.ensure_projector_secret(db.session.get(DialogueSession, closed.id)))

    # Commitments in every state, on the unit's own account and the secretariat's list.
    def task(description, days, unit=binh_an, **links):
        return _commit(
            followups.create_commitment(
                host, description=description, unit_id=unit.id, due_date=today_local() + timedelta(days=days), **links
            )
        )

    unit_account = users["unit"]
    assigned = task(
        "Ban hành bộ biểu mẫu hồ sơ kiểm tra rút gọn cho chi bộ ấp",
        30,
        session_id=live_session.id,
        response_id=answer.id,
    )
    in_progress = task("Tập huấn nghiệp vụ kiểm tra, giám sát cho bí thư chi bộ", 20)
    _commit(followups.post_update(unit_account, in_progress, note="Đã lập danh sách học viên.", progress=40))
    done = task("Rà soát việc giám sát đảng viên nơi cư trú", 10)
    _commit(followups.mark_done(unit_account, done, report="Đã rà soát 20 chi bộ, lập biên bản từng chi bộ."))
    verified = task("Lập kế hoạch kiểm tra năm của chi bộ", 5)
    _commit(followups.mark_done(unit_account, verified, report="Cả 20 chi bộ đã có kế hoạch kiểm tra năm."))
    _commit(followups.verify(secretariat, verified, note="Đã kiểm tra hồ sơ tại 3 chi bộ."))
    cancelled = task("Tổ chức hội nghị chuyên đề riêng của xã", 15)
    _commit(followups.cancel(secretariat, cancelled, reason="Gộp vào hội nghị sơ kết của huyện."))
    extended = task("Báo cáo kết quả tự kiểm tra tài chính đảng", 3)
    _commit(
        followups.extend_deadline(
            secretariat, extended, new_due_date=today_local() + timedelta(days=12), reason="Chờ số liệu quý."
        )
    )
    overdue = db.session.scalar(
        select(Commitment).where(Commitment.status == "assigned", Commitment.due_date < today_local()).limit(1)
    )
    _commit(notify(secretary, "Ý kiến của đồng chí đã được tiếp nhận vào chương trình.", f"/questions/{mine.id}"))

    article = db.session.scalar(select(DialogueSession).where(DialogueSession.title == ARTICLE_TITLE))
    article_question = db.session.scalar(
        select(Question).where(Question.session_id == article.id, Question.status == "answered").limit(1)
    )
    other = db.session.scalar(select(User).where(User.id != secretary.id, User.phone.is_not(None)).limit(1))
    return Hall(
        sessions={
            "draft": draft.id,
            "open": open_session.id,
            "closed": closed.id,
            "live": live_session.id,
            "ended": article.id,
        },
        questions={
            "mine": mine.id,
            "returned": second.id,
            "assigned": third.id,
            "merged": duplicate.id,
            "withdrawn": withdrawn.id,
            "pending": own_pending.id,
            "submitted": fourth.id,
            "answered": article_question.id,
            "live_answered": live_questions[0].id,
        },
        commitments={
            "assigned": assigned.id,
            "in_progress": in_progress.id,
            "done": done.id,
            "verified": verified.id,
            "cancelled": cancelled.id,
            "extended": extended.id,
            "overdue": overdue.id,
        },
        unit_id=binh_an.id,
        other_user_id=other.id,
        projector_secret=projector_secret,
        quiet_projector=quiet_projector,
    )


def pages_of(hall: Hall) -> dict[str, list[tuple[str, str]]]:
    """The main pages of each role (a name for the report, the path)."""
    s, q, c = hall.sessions, hall.questions, hall.commitments
    minutes = f"/reports/sessions/{s['ended']}/documents/minutes"
    conclusion = f"/reports/sessions/{s['ended']}/documents/conclusion"
    return {
        "anonymous": [("sign-in", "/login")],
        "admin": [
            ("home", "/"),
            ("units", "/admin/units/"),
            ("unit form", f"/admin/units/{hall.unit_id}"),
            ("new unit", "/admin/units/new"),
            ("import", "/admin/units/import"),
            ("users", "/admin/users"),
            ("user form", f"/admin/users/{hall.other_user_id}"),
            ("new user", "/admin/users/new"),
            ("audit", "/admin/audit/"),
            ("sessions", "/sessions/"),
            ("ended session", f"/sessions/{s['ended']}"),
            ("statistics", "/reports/stats"),
            ("follow-up", "/followups/"),
            ("search", "/search/?q=kiem+tra"),
            ("account", "/account"),
            ("API docs", "/api/docs"),
        ],
        "organizer": [
            ("home", "/"),
            ("sessions", "/sessions/"),
            ("new session", "/sessions/new"),
            ("draft session", f"/sessions/{s['draft']}"),
            ("open session", f"/sessions/{s['open']}"),
            ("closed session", f"/sessions/{s['closed']}"),
            ("live session", f"/sessions/{s['live']}"),
            ("ended session", f"/sessions/{s['ended']}"),
            ("edit session", f"/sessions/{s['open']}/edit"),
            ("invitees", f"/sessions/{s['open']}/invitees"),
            ("submissions", f"/sessions/{s['open']}/questions"),
            ("agenda", f"/sessions/{s['open']}/agenda"),
            ("submission to moderate", f"/questions/{q['submitted']}"),
            ("console", f"/sessions/{s['live']}/console"),
            ("check-in", f"/sessions/{s['live']}/checkin"),
            ("QR codes", f"/sessions/{s['live']}/qr"),
            ("minutes", minutes),
            ("edit minutes", minutes + "/edit"),
            ("conclusion", conclusion),
            ("edit conclusion", conclusion + "/edit"),
            ("session statistics", f"/reports/sessions/{s['ended']}/stats"),
            ("statistics", "/reports/stats"),
            ("follow-up", "/followups/"),
            ("new commitment", f"/followups/new?session_id={s['ended']}"),
            ("commitment", f"/followups/{c['assigned']}"),
            ("written answers", f"/followups/sessions/{s['ended']}/written"),
            ("search", "/search/?q=kiem+tra"),
            ("notifications", "/notifications/"),
        ],
        "host": [
            ("home", "/"),
            ("live session", f"/sessions/{s['live']}"),
            ("agenda", f"/sessions/{s['live']}/agenda"),
            ("console", f"/sessions/{s['live']}/console"),
            ("answered submission", f"/questions/{q['answered']}"),
            ("minutes", minutes),
            ("conclusion", conclusion),
            ("follow-up", "/followups/"),
            ("overdue commitment", f"/followups/{c['overdue']}"),
        ],
        "secretariat": [
            ("home", "/"),
            ("follow-up", "/followups/"),
            ("follow-up, overdue", "/followups/?overdue=1"),
            ("commitment to verify", f"/followups/{c['done']}"),
            ("verified commitment", f"/followups/{c['verified']}"),
            ("statistics", "/reports/stats"),
            ("session statistics", f"/reports/sessions/{s['ended']}/stats"),
        ],
        "unit": [
            ("home", "/"),
            ("unit's commitments", "/followups/mine"),
            ("commitment in progress", f"/followups/{c['in_progress']}"),
            ("extended commitment", f"/followups/{c['extended']}"),
            ("cancelled commitment", f"/followups/{c['cancelled']}"),
        ],
        "secretary": [
            ("home", "/"),
            ("sessions", "/sessions/"),
            ("open session", f"/sessions/{s['open']}"),
            ("new submission", f"/sessions/{s['open']}/questions/new"),
            ("edit submission", f"/questions/{q['pending']}/edit"),
            ("accepted submission", f"/questions/{q['mine']}"),
            ("withdrawn submission", f"/questions/{q['withdrawn']}"),
            ("session's submissions", f"/sessions/{s['open']}/questions"),
            ("live session", f"/sessions/{s['live']}"),
            ("phone", f"/sessions/{s['live']}/phone"),
            ("answer and follow-up", f"/followups/questions/{q['live_answered']}"),
            ("notifications", "/notifications/"),
            ("account", "/account"),
        ],
        "projector": [
            ("projector", f"/projector/{hall.projector_secret}"),
            ("projector, nobody waiting", f"/projector/{hall.quiet_projector}"),
        ],
    }


ROLES = ["anonymous", "admin", "organizer", "host", "secretariat", "unit", "secretary", "projector"]


@pytest.fixture(scope="module")
def hall(app) -> Iterator[Hall]:
    """The district, seeded once for the module (it takes about ten seconds); emptied again when it is done."""
    with app.app_context():
        made = seed_hall()
        made.pages = pages_of(made)
        db.session.remove()
    yield made
    with app.app_context():
        _empty_tables()
        live.forget_states()
    OUTBOX.clear()


@pytest.fixture(autouse=True)
def _app_context(app) -> Iterator[None]:
    """Overrides conftest's, which empties the tables after each test: this module's tests share ``hall``."""
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()


def open_as(browser, base: str, role: str, viewport: dict):
    """A browser context signed in as ``role`` (the projector and the anonymous visitor sign in nowhere), with
    the vendored axe-core added to every page it opens. CSP is bypassed for this context only (ENGINEERING.md);
    an init script is compiled once for the context, where a script tag per page cost 0.7 s a page."""
    context = browser.new_context(viewport=viewport, locale="vi-VN", bypass_csp=True)
    context.add_init_script(path=str(AXE))
    if role in LOGINS:
        page = context.new_page()
        page.goto(base + "/login")
        page.fill("#login", LOGINS[role])
        page.fill("#password", DEMO_PASSWORD)
        page.press("#password", "Enter")
        page.wait_for_url(base + "/")
        page.close()
    return context


# A page is ready when it has loaded, a live screen is connected (its state drawn), and the API's reference has
# been drawn from the OpenAPI document.
READY = """() => (!document.querySelector('[data-live="connection"]') || document.querySelector('.connection.online'))
  && (!document.getElementById('api-docs') || document.querySelector('#api-docs .api-op'))"""


def each_page(browser, base: str, hall: Hall, role: str, viewport: dict) -> Iterator[tuple[str, object]]:
    """Opens each of the role's main pages in turn, in one tab, each fully drawn."""
    context = open_as(browser, base, role, viewport)
    page = context.new_page()
    try:
        for name, path in hall.pages[role]:
            response = page.goto(base + path)
            assert response is not None and response.status == 200, f"{role}, {name} ({path}): {response.status}"
            page.wait_for_function(READY)
            yield f"{role} · {name} · {viewport['width']} px", page
    finally:
        context.close()


# axe-core's default rules (WCAG 2.0–2.2 A and AA, and its best practices), and WCAG 2.2's target size (24 px),
# which axe leaves off by default.
AXE_RUN = """() => axe.run(document, {resultTypes: ['violations'], rules: {'target-size': {enabled: true}}})
  .then(r => r.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').slice(0, 160))})))"""

# What a phone must not do: be wider than its screen (document.documentElement.scrollWidth <= 360), put anything
# beyond its right edge, or cut text off (an element that hides its overflow while its content is bigger; inputs
# scroll their own text, and a .scroll box is a labelled, focusable scrolling region on purpose). And the targets:
# every button, button-like link, menu and disclosure at least 44 × 44 px; check boxes and radios at least 24 px,
# inside a label at least 44 px tall (the label is part of the target).
LAYOUT = """(screen) => {
  const problems = [];
  const width = document.documentElement.scrollWidth;
  if (width > screen) problems.push('the page is ' + width + ' px wide');
  const label = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    ' «' + (el.textContent || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '»';
  const shown = (el) => el.getClientRects().length > 0 && el.checkVisibility({visibilityProperty: true});
  for (const el of document.querySelectorAll('body *')) {
    if (!shown(el) || el.closest('.visually-hidden, .scroll, input, textarea, select')) continue;
    const style = getComputedStyle(el);
    const hides = (v) => v === 'hidden' || v === 'clip';
    if ((hides(style.overflowX) && el.scrollWidth > el.clientWidth + 1) ||
        (hides(style.overflowY) && el.scrollHeight > el.clientHeight + 1)) problems.push('clipped: ' + label(el));
    if (el.getBoundingClientRect().right > screen + 1) problems.push('beyond the screen: ' + label(el));
  }
  for (const el of [document.documentElement, document.body]) {
    if (['hidden', 'clip'].includes(getComputedStyle(el).overflowX)) problems.push(el.tagName + ' hides what overflows');
  }
  const targets = 'button, a.button, summary, input[type=submit], input[type=button], input[type=file], ' +
    '.topbar a, td.actions a, .link-action';
  for (const el of document.querySelectorAll(targets)) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.height < 44 || r.width < 44) problems.push('small target ' + Math.round(r.width) + '×' + Math.round(r.height) + ': ' + label(el));
  }
  for (const el of document.querySelectorAll('input[type=checkbox], input[type=radio]')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    const holder = el.closest('label') || (el.id && document.querySelector('label[for="' + el.id + '"]'));
    const h = holder ? Math.max(holder.getBoundingClientRect().height, r.height) : r.height;
    if (r.width < 24 || r.height < 24 || h < 44) problems.push('small ' + el.type + ' ' + Math.round(r.width) + '×' + Math.round(r.height) + ', label ' + Math.round(h) + ' px: ' + label(el));
  }
  return problems;
}"""


@pytest.mark.parametrize("role", ROLES)
def test_on_a_360_px_phone_axe_finds_nothing_nothing_overflows_and_targets_are_44_px(browser, live_server, hall, role):
    found = {}
    for where, page in each_page(browser, live_server.url, hall, role, PHONE):
        problems = page.evaluate(AXE_RUN) + page.evaluate(LAYOUT, PHONE["width"])
        if problems:
            found[where] = problems
    assert not found, "On a 360 × 740 phone:\n" + _report(found)


@pytest.mark.parametrize("role", ROLES)
def test_on_a_1366_px_laptop_axe_finds_nothing(browser, live_server, hall, role):
    found = {}
    for where, page in each_page(browser, live_server.url, hall, role, LAPTOP):
        violations = page.evaluate(AXE_RUN)
        if violations:
            found[where] = violations
    assert not found, "On a 1366 × 768 laptop, axe-core found:\n" + _report(found)


def _report(found: dict) -> str:
    return json.dumps(found, ensure_ascii=False, indent=1)
