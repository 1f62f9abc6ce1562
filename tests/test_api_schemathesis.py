"""Checks that stay: schemathesis generates requests from ``/api/openapi.json`` for every operation and sends them
to the app in-process (WSGI), as an organizer and as a cell secretary, over a district with a live session, a
submission, a turn, an answer and a commitment. No answer may be a 5xx, and every answer must be one the
document declares: its status, its content type, its body's schema.

Bounded: ``MAX_EXAMPLES`` generated requests per operation and caller: 32 operations × 2 callers × 25, 1,600
requests in all, about 40 s of CPU and 1½ to 2 minutes on the project's two shared cores (README, "Tests")."""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dialogue.core.timeutil import today_local
from dialogue.extensions import db
from dialogue.followups import services as followups
from dialogue.live import services as live
from dialogue.responses.services import record_response
from tests.live_fixtures import make_question, make_session

MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(params=["organizer", "secretary"])
def caller(request, tree, token_for) -> dict[str, str]:
    """The Bearer header of one caller, over a district where each endpoint has something to show."""
    session = make_session(tree, status="live")
    question = make_question(session, tree.secretaries[0])
    live.request_to_speak(tree.secretaries[0], session.id, question_id=question.id)
    live.next_speaker(tree.organizer, session.id, None)
    record_response(
        tree.organizer,
        session_id=session.id,
        kind="taken_on_board",
        text="Tiếp thu, sẽ hướng dẫn quy trình.",
        responder_id=tree.host.id,
        question_ids=[question.id],
    )
    followups.create_commitment(
        tree.organizer,
        description="Rà soát quy trình kiểm tra.",
        unit_id=tree.communes[0].id,
        due_date=today_local() + timedelta(days=20),
        session_id=session.id,
        question_id=question.id,
    )
    user = tree.organizer if request.param == "organizer" else tree.secretaries[0]
    headers = token_for(user)
    db.session.commit()
    return headers


def test_the_api_answers_as_its_document_says(app, caller):
    # The operations are driven here, one bounded Hypothesis run each, rather than through schemathesis' pytest
    # plugin, whose lazy per-operation subtests do not run under this pytest (9.2).
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,  # the same requests at every run: a failure here is reproducible, not a lottery
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            # Half the ids name rows that exist (the first few of each table), so the answers of real objects are
            # checked too, not only the 404s of random numbers.
            case.path_parameters = {
                name: value % 3 + 1 if isinstance(value, int) and value % 2 == 0 else value
                for name, value in (case.path_parameters or {}).items()
            }
            case.call_and_validate(headers=caller, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried; the report lists all that failed
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
