"""Topics grouped without regard to accents: "Bieu mau…" and "Biểu mẫu…" are one topic on the moderation page, in
the statistics (page, API, exports), shown in the most common spelling typed with accents."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

from dialogue.extensions import db
from dialogue.questions import services
from dialogue.questions.topics import display_name, group_counts, groups_of, topic_key
from dialogue.sessions import services as sessions
from tests.factories import act
from tests.sessions_fixtures import schedule

ACCENTED = "Biểu mẫu báo cáo"
PLAIN = "Bieu mau bao cao"


def test_spellings_of_one_topic_are_one_group():
    assert topic_key(PLAIN) == topic_key(ACCENTED) == topic_key("  BIỂU MẪU, báo cáo. ") == "bieu mau bao cao"
    assert topic_key("Biểu mẫu") != topic_key(ACCENTED)
    rows = [(PLAIN, 5), (ACCENTED, 1), ("biểu mẫu  báo cáo", 2), ("Kỷ luật đảng viên", 3), (None, 1), ("", 1)]
    # With accents first (a spelling without any only when nobody typed them), then the most common.
    assert group_counts(rows) == [("biểu mẫu báo cáo", 8), ("Kỷ luật đảng viên", 3), ("—", 2)]
    assert group_counts([(PLAIN, 2), ("bieu mau bao cao", 1)]) == [(PLAIN, 3)]
    from collections import Counter

    assert display_name(Counter({ACCENTED: 2, "biểu mẫu báo cáo": 2})) == ACCENTED  # a tie: the first in order


def _submit(tree, session, topic: str, body: str, author=0):
    question, _created = services.submit_question(
        tree.secretaries[author], session, kind="question", topic=topic, body=body
    )
    return question


def _three(tree):
    session = schedule(tree)
    a = _submit(tree, session, PLAIN, "Đề nghị rút gọn biểu mẫu báo cáo giám sát chuyên đề.")
    b = _submit(tree, session, ACCENTED, "Mẫu báo cáo kiểm tra quá dài.", author=1)
    c = _submit(tree, session, "Kỷ luật đảng viên", "Xin hướng dẫn quy trình kỷ luật.", author=1)
    db.session.commit()
    return session, a, b, c


def test_moderation_page_groups_and_filters_topics_without_accents(tree, login_as, client, token_for):
    session, a, b, c = _three(tree)
    assert groups_of(session.id) == [
        {"name": ACCENTED, "key": "bieu mau bao cao", "count": 2},
        {"name": "Kỷ luật đảng viên", "key": "ky luat dang vien", "count": 1},
    ]
    assert services.topics_of(session) == [ACCENTED, "Kỷ luật đảng viên"]
    login_as(tree.organizer)
    page = client.get(f"/sessions/{session.id}/questions").get_data(as_text=True)
    assert f'<option value="{ACCENTED}" >{ACCENTED} (2)</option>' in page
    assert PLAIN not in page.split('id="topic"')[1].split("</select>")[0]  # one option, not two
    for spelling in (PLAIN, ACCENTED, "BIỂU MẪU, BÁO CÁO"):
        html = client.get(f"/sessions/{session.id}/questions?" + urlencode({"topic": spelling})).get_data(as_text=True)
        assert f'id="q-{a.id}"' in html and f'id="q-{b.id}"' in html and f'id="q-{c.id}"' not in html
        assert f'<option value="{ACCENTED}" selected>' in html
    api = client.get(
        f"/api/v1/sessions/{session.id}/questions?" + urlencode({"topic": PLAIN}), headers=token_for(tree.organizer)
    ).get_json()
    assert sorted(item["id"] for item in api["items"]) == sorted([a.id, b.id])
    nothing = client.get(f"/sessions/{session.id}/questions?" + urlencode({"topic": "Không có chủ đề này"}))
    assert "Không có ý kiến nào." in nothing.get_data(as_text=True)


def test_statistics_count_a_topic_once_in_the_page_the_api_and_the_exports(tree, login_as, client, token_for):
    session, _a, _b, _c = _three(tree)
    login_as(tree.secretariat)
    figures = client.get(f"/api/v1/sessions/{session.id}/stats", headers=token_for(tree.secretariat))
    assert figures.status_code == 200
    assert figures.get_json()["submissions_by_topic"] == {ACCENTED: 2, "Kỷ luật đảng viên": 1}

    html = client.get(f"/reports/sessions/{session.id}/stats").get_data(as_text=True)
    assert re.search(rf"{ACCENTED}</td>\s*<td[^>]*>2</td>", html) and PLAIN not in html

    exported = client.get(f"/reports/sessions/{session.id}/stats/export/submissions_by_topic/csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert [ACCENTED, "2"] in rows and ["Kỷ luật đảng viên", "1"] in rows and not any(PLAIN in r for r in rows)

    # A period counts the sessions held in it: this one is held once it has been live.
    for step in ("live", "ended"):
        act(sessions.change_status, tree.organizer, session, step)
    query = urlencode({"kind": "range", "from": "2000-01-01", "to": "2099-12-31"})
    period = client.get(f"/reports/stats/export/submissions_by_topic/csv?{query}")
    rows = list(csv.reader(io.StringIO(period.data.decode("utf-8-sig"))))
    assert [ACCENTED, "2"] in rows and not any(PLAIN in r for r in rows)
