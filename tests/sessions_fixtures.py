"""The sessions and questions tests schedule through the services (``tests.factories.schedule``)."""

from tests.factories import schedule

__all__ = ["schedule"]
