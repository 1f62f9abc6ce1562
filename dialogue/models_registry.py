"""Imports every area's models so that SQLAlchemy's metadata (and Alembic's autogenerate) knows all tables."""

from .accounts import models as accounts_models  # noqa: F401
from .audit import models as audit_models  # noqa: F401
from .calendar import models as calendar_models  # noqa: F401
from .core import idempotency as idempotency_keys  # noqa: F401
from .followups import models as followups_models  # noqa: F401
from .live import models as live_models  # noqa: F401
from .notifications import models as notifications_models  # noqa: F401
from .questions import models as questions_models  # noqa: F401
from .reports import models as reports_models  # noqa: F401
from .responses import models as responses_models  # noqa: F401
from .sessions import models as sessions_models  # noqa: F401
from .units import models as units_models  # noqa: F401
