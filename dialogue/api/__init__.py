"""The JSON API of ../shared/API.md under /api/v1. Each endpoint module calls the same services as the pages."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
