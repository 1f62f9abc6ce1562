"""Where each area's pages, API endpoints, Socket.IO handlers and CLI commands are plugged in.

An area adds its module here once; ``create_app`` imports the list in order.
"""

# Modules with a ``bp`` Blueprint of pages.
PAGE_MODULES: tuple[str, ...] = (
    "dialogue.accounts.views",
    "dialogue.home.views",
    "dialogue.units.views",
    "dialogue.audit.views",
    "dialogue.notifications.views",
    "dialogue.live.views",
    "dialogue.responses.views",
    "dialogue.sessions.views",
    "dialogue.questions.views",
    "dialogue.followups.views",
    "dialogue.reports.views",
    "dialogue.search.views",
    "dialogue.calendar.views",
)

# Modules that add endpoints to the /api/v1 blueprint (imported before it is registered).
API_MODULES: tuple[str, ...] = (
    "dialogue.api.reports",
    "dialogue.api.accounts",
    "dialogue.api.units",
    "dialogue.api.sessions",
    "dialogue.api.questions",
    "dialogue.api.similar",
    "dialogue.api.commitments",
    "dialogue.api.live",
    "dialogue.api.responses",
    "dialogue.api.calendar",
)

# Modules that register Socket.IO handlers when imported.
SOCKET_MODULES: tuple[str, ...] = ("dialogue.live.socket",)

# Modules whose blinker receivers answer a lower area's signals (imported once, at start).
RECEIVER_MODULES: tuple[str, ...] = ("dialogue.sessions.usage", "dialogue.followups.usage")

# Modules with a ``register_cli(app)`` function.
CLI_MODULES: tuple[str, ...] = (
    "dialogue.accounts.cli",
    "dialogue.units.cli",
    "dialogue.demo.cli",
    "dialogue.sessions.cli",
    "dialogue.followups.cli",
)
