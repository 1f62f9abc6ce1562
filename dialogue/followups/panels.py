"""What other areas' pages show of the follow-up: a question's follow-up (its own page and the panel the question's
page includes), the session's panel, the helpers those templates call, and the home page's sections."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from ..core.access import signed_in
from ..core.permissions import require
from ..extensions import db
from ..home.services import register_section
from ..questions.models import Question
from ..sessions.models import DialogueSession
from . import counts, queries
from .models import Commitment
from .views import bp

# A question's follow-up, and the session's panel ------------------------------------------------------------


@bp.get("/questions/<int:question_id>")
@signed_in
def question(question_id: int) -> ResponseReturnValue:
    """What became of a question: the responses and the commitments it gave rise to (for its author and staff)."""
    q = queries.question_of(question_id)
    require(current_user, "followups.question", q)
    return render_template("followups/question.html", question=q)


@bp.app_template_global("followup_for_question")
def followup_for_question(question: Question) -> queries.QuestionFollowup:
    """For templates/followups/_question_panel.html: three queries whatever the number of commitments."""
    return queries.question_followup(question)


@bp.app_template_global("followup_for_session")
def followup_for_session(session: DialogueSession) -> counts.SessionFollowup:
    """For templates/followups/_session_panel.html: two queries."""
    return counts.session_followup(session)


@bp.app_template_global("question_url")
def question_url(question: Question) -> str:
    """The question's own page when the questions area has one, else the follow-up page of the question."""
    if "questions.detail" in current_app.view_functions:
        return url_for("questions.detail", question_id=question.id)
    return url_for("followups.question", question_id=question.id)


@bp.app_template_global("commitment_state_words")
def commitment_state_words() -> dict[str, str]:
    """The states' words, translated once for a whole list."""
    from ..core.labels import LABELS

    return {code: str(text) for code, text in LABELS["commitment_status"].items()}


@bp.app_template_global("commitment_overdue")
def commitment_overdue(commitment: Commitment) -> bool:
    return queries.is_overdue(commitment)


# Home sections ----------------------------------------------------------------------------------------------


def _unit_home(user: Any) -> dict[str, Any]:
    return counts.unit_summary(user)


def _secretariat_home(user: Any) -> dict[str, Any]:
    data = counts.dashboard(user, queries.Filters(), session_limit=1)
    overdue = list(
        db.session.scalars(queries.list_statement(user, queries.Filters(overdue=True), order="due").limit(5)).unique()
    )
    return {"totals": data.totals, "overdue": overdue}


def _secretary_home(user: Any) -> dict[str, Any]:
    return {"commitments": queries.commitments_for_author(user)}


register_section("unit", "followups/_home_unit.html", _unit_home, order=20)
register_section("secretariat", "followups/_home_secretariat.html", _secretariat_home, order=20)
register_section("secretary", "followups/_home_secretary.html", _secretary_home, order=60)
