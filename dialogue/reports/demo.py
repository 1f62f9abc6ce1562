"""The article's session as demo data: Thường trực Huyện ủy Châu Thành meets the 200 cell secretaries of the
district's communes and town about inspection and supervision work (17/06/2025, afternoon).

Rows are written through the models (with the audit entries a service would write), because the session is
already over: it is history, not a live run. Every choice is deterministic and the step looks before it
creates, so running it twice changes nothing. Like a service, the step does not commit: ``flask seed-demo`` (one
unit of work) does.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from ..accounts.models import User
from ..audit.services import record
from ..core.text import search_blob
from ..core.timeutil import local_to_utc
from ..demo.seed import DISTRICT, GRASSROOTS, demo_user
from ..extensions import db
from ..followups.models import Commitment, CommitmentUpdate
from ..live.models import Speaker
from ..questions.models import Question
from ..responses.models import Response
from ..sessions.models import DialogueSession, Invitation, SessionHost, SessionInvitedUnit
from ..units.models import Unit
from .models import DocumentDraft

TITLE = "Buổi tiếp xúc, đối thoại trực tiếp giữa Thường trực Huyện ủy với bí thư chi bộ"
TOPIC = "Công tác kiểm tra, giám sát"
TERM = "2020–2025"
VENUE = "Hội trường Huyện ủy Châu Thành"
DAY = date(2025, 6, 17)


def _local(hour: int, minute: int, second: int = 0) -> datetime:
    return local_to_utc(datetime(DAY.year, DAY.month, DAY.day, hour, minute, second))


# (index of the secretary among the 200, kind, topic, what they raised, the clerk's summary, start, seconds used,
#  the host's response kind and text)
TURNS = [
    (
        3,
        "recommendation",
        "Kiểm tra đảng viên chấp hành",
        "Chi bộ ấp còn lúng túng khi chọn đảng viên để kiểm tra, nhất là đảng viên lớn tuổi được miễn sinh hoạt; "
        "đề nghị hướng dẫn cụ thể tiêu chí lựa chọn và cách lập kế hoạch kiểm tra hằng năm.",
        "Nêu khó khăn trong lựa chọn nội dung, đối tượng kiểm tra đảng viên; kế hoạch kiểm tra của chi bộ còn "
        "chung chung, chưa sát thực tế. Kiến nghị có mẫu kế hoạch và hướng dẫn tiêu chí.",
        (14, 25),
        262,
        "answered",
        "Ủy ban Kiểm tra Huyện ủy sẽ ban hành hướng dẫn mẫu kế hoạch kiểm tra, giám sát của chi bộ; chi bộ chọn "
        "nội dung gắn với nhiệm vụ chính trị của ấp, ưu tiên nơi dư luận quan tâm. Đảng viên được miễn sinh hoạt "
        "vẫn thuộc đối tượng giám sát thường xuyên.",
    ),
    (
        27,
        "opinion",
        "Năng lực cán bộ làm công tác kiểm tra",
        "Cán bộ làm công tác kiểm tra ở chi bộ đều kiêm nhiệm, chưa được tập huấn nghiệp vụ, ngại va chạm khi "
        "phát hiện vi phạm của người thân quen trong ấp.",
        "Phản ánh cán bộ kiểm tra chi bộ kiêm nhiệm, thiếu nghiệp vụ, còn tâm lý nể nang, ngại va chạm.",
        (14, 31),
        298,
        "taken_on_board",
        "Tiếp thu ý kiến. Huyện ủy chỉ đạo mở lớp tập huấn nghiệp vụ kiểm tra, giám sát cho bí thư, phó bí thư "
        "chi bộ trong quý III; đồng thời đề cao trách nhiệm nêu gương, khắc phục tâm lý nể nang, né tránh.",
    ),
    (
        58,
        "question",
        "Giám sát việc tu dưỡng, rèn luyện đạo đức",
        "Việc giám sát đảng viên ở nơi cư trú phối hợp với chi bộ nơi công tác chưa chặt chẽ; thông tin phản hồi "
        "chậm. Xin hỏi trách nhiệm của chi bộ nơi cư trú đến đâu?",
        "Hỏi về trách nhiệm giám sát đảng viên công tác ở cơ quan nhưng cư trú tại ấp; việc phối hợp hai chiều "
        "còn chậm, hình thức.",
        (14, 38),
        241,
        "answered",
        "Chi bộ nơi cư trú có trách nhiệm nhận xét, phản ánh kịp thời với chi bộ nơi đảng viên công tác; Văn phòng "
        "và Ban Tổ chức Huyện ủy sẽ rà soát quy chế phối hợp, bảo đảm thông tin phản hồi trong 15 ngày.",
    ),
    (
        84,
        "recommendation",
        "Hồ sơ, thủ tục kiểm tra",
        "Hồ sơ một cuộc kiểm tra ở chi bộ quá nhiều biểu mẫu, trong khi chi bộ không có cán bộ chuyên trách; "
        "đề nghị đơn giản hóa thủ tục.",
        "Kiến nghị đơn giản hóa hồ sơ, biểu mẫu kiểm tra ở cấp chi bộ cho phù hợp điều kiện thực tế.",
        (14, 44),
        187,
        "taken_on_board",
        "Tiếp thu. Ủy ban Kiểm tra Huyện ủy rà soát, rút gọn bộ biểu mẫu áp dụng cho chi bộ, bảo đảm đúng quy định "
        "nhưng gọn, dễ làm.",
    ),
    (
        121,
        "proposal",
        "Giám sát thường xuyên",
        "Đề xuất mỗi chi bộ lập sổ theo dõi giám sát thường xuyên, ghi nhận dư luận, phản ánh của nhân dân về "
        "đảng viên để kịp thời nhắc nhở từ sớm.",
        "Đề xuất sổ theo dõi giám sát thường xuyên ở chi bộ, nắm dư luận nhân dân để nhắc nhở sớm.",
        (14, 50),
        226,
        "answered",
        "Thống nhất với đề xuất. Các đảng ủy cơ sở hướng dẫn chi bộ lập sổ theo dõi, gắn với sinh hoạt chi bộ hằng "
        "tháng; phát hiện sớm để nhắc nhở, không để vi phạm nhỏ tích tụ thành vi phạm lớn.",
    ),
    (
        166,
        "recommendation",
        "Xử lý kỷ luật đảng viên vi phạm",
        "Một số vụ việc đảng viên vi phạm về đất đai, xây dựng kéo dài, chi bộ đã kiến nghị nhưng cấp trên xử lý "
        "chậm, ảnh hưởng uy tín của chi bộ với nhân dân.",
        "Kiến nghị cấp trên xử lý dứt điểm, kịp thời các vụ việc đảng viên vi phạm về đất đai, xây dựng đã được "
        "chi bộ phát hiện.",
        (14, 56),
        305,
        "taken_on_board",
        "Tiếp thu và giải đáp: từ đầu nhiệm kỳ đã thi hành kỷ luật 43 đảng viên (khai trừ 2, cách chức 3, cảnh cáo "
        "15, khiển trách 23) và khiển trách 1 tổ chức đảng. Ủy ban Kiểm tra Huyện ủy rà soát các vụ việc tồn đọng "
        "chi bộ đã kiến nghị, xử lý dứt điểm trong quý III.",
    ),
]

# Other submissions sent before the session and not raised in the hall: (index, kind, topic, body).
OTHER_SUBMISSIONS = [
    (9, "question", "Kiểm tra tài chính đảng", "Chi bộ có phải kiểm tra việc thu, nộp đảng phí hằng quý không?"),
    (45, "opinion", "Công khai kết quả kiểm tra", "Nên công khai kết quả kiểm tra trong sinh hoạt chi bộ."),
    (73, "proposal", "Ứng dụng công nghệ", "Đề xuất theo dõi kết quả giám sát trên phần mềm để giảm giấy tờ."),
    (102, "recommendation", "Giám sát thường xuyên", "Đề nghị hướng dẫn cách ghi biên bản giám sát thường xuyên."),
    (139, "question", "Kiểm tra đảng viên chấp hành", "Một năm chi bộ phải kiểm tra tối thiểu bao nhiêu đảng viên?"),
    (188, "opinion", "Năng lực cán bộ làm công tác kiểm tra", "Cần bồi dưỡng thêm kỹ năng cho chi ủy viên."),
]

# (commune committee, task, days after the session, from which turn)
COMMITMENTS = [
    (
        "Đảng ủy xã Bình An",
        "Hướng dẫn các chi bộ lập sổ theo dõi giám sát thường xuyên, gắn với sinh hoạt chi bộ hằng tháng; "
        "báo cáo kết quả về Ủy ban Kiểm tra Huyện ủy.",
        45,
        4,
    ),
    (
        "Đảng ủy xã Mong Thọ A",
        "Rà soát, báo cáo tiến độ xử lý các vụ việc đảng viên vi phạm về đất đai, xây dựng đã được chi bộ kiến nghị.",
        30,
        5,
    ),
    (
        "Đảng ủy thị trấn Minh Lương",
        "Phối hợp với chi bộ nơi đảng viên công tác, hoàn thiện quy chế phối hợp giám sát đảng viên nơi cư trú.",
        60,
        2,
    ),
    (
        "Đảng ủy xã Giục Tượng",
        "Cử bí thư, phó bí thư chi bộ tham dự lớp tập huấn nghiệp vụ kiểm tra, giám sát do Huyện ủy tổ chức.",
        75,
        1,
    ),
]

# What became of some commitments: (days after the session it was done, the unit's report, days until verified).
OUTCOMES = {
    "Đảng ủy xã Bình An": (
        38,
        "Đã ban hành hướng dẫn; 20/20 chi bộ lập sổ theo dõi giám sát thường xuyên từ tháng 7/2025.",
        41,
    ),
    "Đảng ủy thị trấn Minh Lương": (
        52,
        "Đã ký quy chế phối hợp với các chi bộ cơ quan trên địa bàn; phản hồi thông tin trong 15 ngày.",
        None,
    ),
}


def _complete(commitment: Commitment, outcome: tuple, host: User, secretariat: User | None) -> None:
    """Marks a demo commitment done (and verified), with its trail, as the follow-up services would."""
    done_days, report, verified_days = outcome
    done_at = local_to_utc(datetime.combine(DAY + timedelta(days=done_days), datetime.min.time()).replace(hour=9))
    unit_account = db.session.scalar(select(User).where(User.unit_id == commitment.unit_id).order_by(User.id).limit(1))
    commitment.status, commitment.progress = "done", 100
    commitment.done_at, commitment.result_report = done_at, report
    commitment.search_text = search_blob(commitment.description, report)
    db.session.add(
        CommitmentUpdate(
            commitment_id=commitment.id,
            author_id=unit_account.id if unit_account else None,
            kind="status",
            note=report,
            progress=100,
            from_status="assigned",
            to_status="done",
            created_at=done_at,
        )
    )
    record(unit_account, "commitment.status", commitment, before={"status": "assigned"}, after={"status": "done"})
    if verified_days is not None and secretariat is not None:
        verified_at = done_at + timedelta(days=verified_days - done_days)
        commitment.status, commitment.verified_at, commitment.verified_by_id = "verified", verified_at, secretariat.id
        db.session.add(
            CommitmentUpdate(
                commitment_id=commitment.id,
                author_id=secretariat.id,
                kind="status",
                note="Đã kiểm tra thực tế tại 3 chi bộ, đúng như báo cáo.",
                from_status="done",
                to_status="verified",
                created_at=verified_at,
            )
        )
        record(secretariat, "commitment.status", commitment, before={"status": "done"}, after={"status": "verified"})


OPENING = (
    "Đồng chí Bí thư Huyện ủy phát biểu khai mạc, quán triệt mục đích, yêu cầu của buổi tiếp xúc, đối thoại: "
    "lắng nghe khó khăn, vướng mắc của bí thư chi bộ trong công tác kiểm tra, giám sát nhiệm kỳ 2020–2025, "
    "từ đó có giải pháp nâng cao chất lượng công tác này ở cơ sở.\n"
    "Ủy ban Kiểm tra Huyện ủy báo cáo tóm tắt kết quả: từ đầu nhiệm kỳ, thi hành kỷ luật 43 đảng viên (khai trừ 2, "
    "cách chức 3, cảnh cáo 15, khiển trách 23) và khiển trách 1 tổ chức đảng."
)
CLOSING = (
    "Đồng chí chủ trì cảm ơn các đồng chí bí thư chi bộ đã thẳng thắn nêu ý kiến; các ý kiến chưa trả lời tại "
    "buổi đối thoại sẽ được trả lời bằng văn bản."
)
CONCLUSIONS = (
    "Công tác kiểm tra, giám sát của các chi bộ trong nhiệm kỳ 2020–2025 đã có chuyển biến, góp phần giữ vững "
    "kỷ cương, kỷ luật trong Đảng; tuy nhiên còn nơi lúng túng, nể nang, né tránh, hồ sơ thủ tục chưa phù hợp.\n"
    "Thời gian tới, các cấp ủy, chi bộ phải tiến hành công tác kiểm tra, giám sát thường xuyên, toàn diện, công "
    "khai, dân chủ, thận trọng, chặt chẽ; chú trọng giám sát thường xuyên để phát hiện sớm, nhắc nhở kịp thời, "
    "không để vi phạm nhỏ tích tụ thành vi phạm lớn.\n"
    "Bí thư chi bộ nêu gương, chịu trách nhiệm trước cấp ủy cấp trên về công tác kiểm tra, giám sát ở chi bộ mình; "
    "Ủy ban Kiểm tra Huyện ủy tăng cường hướng dẫn nghiệp vụ, tập huấn cho cán bộ cơ sở."
)


# Reasons the office recorded for some of the absences (the others sent no word or declined the invitation).
ABSENCE_REASONS = ("đi công tác", "bệnh, có đơn xin phép", "việc gia đình, có báo trước")


def seed_article_session() -> None:
    district = db.session.scalar(select(Unit).where(Unit.name == DISTRICT, Unit.kind == "district"))
    host = demo_user("bithu@demo.vn")
    clerk = demo_user("vanphong@demo.vn")
    secretariat = demo_user("ubkt@demo.vn")
    if district is None or host is None or clerk is None:
        return
    starts = _local(14, 0)
    if db.session.scalar(
        select(DialogueSession.id).where(
            DialogueSession.title == TITLE,
            DialogueSession.host_unit_id == district.id,
            DialogueSession.starts_at == starts,
        )
    ):
        return

    communes = {u.name: u for u in db.session.scalars(select(Unit).where(Unit.parent_id == district.id))}
    grassroots = [communes[name] for name in GRASSROOTS if name in communes]
    cells = list(
        db.session.scalars(
            select(Unit).where(Unit.parent_id.in_([g.id for g in grassroots]), Unit.kind == "cell").order_by(Unit.id)
        )
    )
    secretaries = list(
        db.session.scalars(
            select(User)
            .where(User.unit_id.in_([c.id for c in cells]), User.position == "Bí thư chi bộ")
            .order_by(User.unit_id, User.id)
        ).unique()
    )

    session = DialogueSession(
        title=TITLE,
        topic=TOPIC,
        term=TERM,
        venue=VENUE,
        starts_at=starts,
        ends_at=_local(17, 0),
        questions_close_at=_local(17, 0) - timedelta(days=3),
        turn_seconds=300,
        host_unit_id=district.id,
        status="ended",
        created_by_id=clerk.id,
        search_text=search_blob(TITLE, TOPIC, TERM, VENUE),
        opened_at=_local(14, 2),
        closed_at=_local(16, 40),
        live_version=1,
    )
    db.session.add(session)
    db.session.flush()
    session.hosts.append(SessionHost(user_id=host.id))
    for g in grassroots:
        session.invited_units.append(SessionInvitedUnit(unit_id=g.id))
    record(clerk, "session.create", session, after={"title": TITLE, "status": "ended"})

    by_index = dict(enumerate(secretaries))
    speaking = {t[0] for t in TURNS}
    invitations = {}
    for index, person in by_index.items():
        # 13 deterministic absences (every 15th secretary), never a speaker.
        present = index in speaking or index % 15 != 7
        inv = Invitation(
            session_id=session.id,
            user_id=person.id,
            unit_id=person.unit_id,
            rsvp="accepted" if present else "declined",
            rsvp_at=_local(9, 0) - timedelta(days=5),
            checked_in_at=_local(13, 30) + timedelta(seconds=7 * index) if present else None,
            checked_in_by_id=clerk.id if present else None,
            link_sent_at=_local(9, 0) - timedelta(days=7),
        )
        db.session.add(inv)
        invitations[index] = inv
    db.session.flush()
    record(clerk, "session.demo_invitations", session, after={"invited": len(invitations)})

    def question(index: int, kind: str, topic: str, body: str, status: str) -> Question:
        author = by_index[index]
        q = Question(
            session_id=session.id,
            author_id=author.id,
            unit_id=author.unit_id,
            kind=kind,
            topic=topic,
            body=body,
            status=status,
            search_text=search_blob(topic, body, author.name),
            created_at=_local(10, 0) - timedelta(days=5, minutes=-index),
        )
        db.session.add(q)
        db.session.flush()
        record(author, "question.submit", q, after={"kind": kind, "topic": topic})
        return q

    for index, kind, topic, body in OTHER_SUBMISSIONS:
        if index in by_index:
            question(index, kind, topic, body, "accepted")

    speakers = []
    for index, kind, topic, body, summary, (hour, minute), used, response_kind, answer in TURNS:
        if index not in by_index:
            continue
        q = question(index, kind, topic, body, "answered")
        begin = _local(hour, minute)
        speaker = Speaker(
            session_id=session.id,
            user_id=by_index[index].id,
            question_id=q.id,
            status="finished",
            weight=len(speakers),
            seconds_allowed=300,
            begin_time=begin,
            end_time=begin + timedelta(seconds=used),
            total_pause_seconds=0,
            created_by_id=clerk.id,
            summary=summary,
            created_at=begin - timedelta(minutes=20),
        )
        db.session.add(speaker)
        db.session.flush()
        record(clerk, "speaker.finish", speaker, after={"status": "finished"})
        response = Response(
            session_id=session.id,
            speaker_id=speaker.id,
            kind=response_kind,
            text=answer,
            responder_id=host.id,
            created_by_id=clerk.id,
            search_text=search_blob(answer, None, host.name),
            created_at=_local(15, 10) + timedelta(minutes=4 * len(speakers)),
        )
        response.questions.append(q)
        db.session.add(response)
        db.session.flush()
        record(clerk, "response.create", response, after={"kind": response_kind, "speaker_id": speaker.id})
        speakers.append((speaker, response, q))

    for unit_name, task, days, turn_index in COMMITMENTS:
        unit = communes.get(unit_name)
        if unit is None or turn_index >= len(speakers):
            continue
        speaker, response, q = speakers[turn_index]
        due = DAY + timedelta(days=days)
        commitment = Commitment(
            session_id=session.id,
            response_id=response.id,
            question_id=q.id,
            speaker_id=speaker.id,
            description=task,
            unit_id=unit.id,
            due_date=due,
            original_due_date=due,
            priority="normal",
            status="assigned",
            progress=0,
            created_by_id=host.id,
            search_text=search_blob(task),
            created_at=_local(16, 30),
        )
        db.session.add(commitment)
        db.session.flush()
        db.session.add(
            CommitmentUpdate(
                commitment_id=commitment.id,
                author_id=host.id,
                kind="created",
                to_status="assigned",
                created_at=_local(16, 30),
            )
        )
        record(host, "commitment.create", commitment, after={"unit_id": unit.id, "due_date": due})
        outcome = OUTCOMES.get(unit_name)
        if outcome is not None:
            _complete(commitment, outcome, host, secretariat)

    turn_summaries = {str(s.id): s.summary for s, _r, _q in speakers}
    absent = [inv for inv in invitations.values() if inv.checked_in_at is None]
    reasons = {str(inv.id): ABSENCE_REASONS[i] for i, inv in enumerate(absent[: len(ABSENCE_REASONS)])}
    for kind, fields in (
        (
            "minutes",
            {
                "place": "Châu Thành",
                "opening": OPENING,
                "closing": CLOSING,
                "clerk": clerk.name,
                "summaries": turn_summaries,
                "absence_reasons": reasons,
            },
        ),
        ("conclusion", {"place": "Châu Thành", "conclusions": CONCLUSIONS}),
    ):
        draft = DocumentDraft(
            session_id=session.id,
            kind=kind,
            fields=fields,
            revision=1,
            updated_at=_local(17, 30),
            updated_by_id=clerk.id,
        )
        db.session.add(draft)
        db.session.flush()
        record(clerk, f"document.{kind}.save", draft, after={"revision": 1})
