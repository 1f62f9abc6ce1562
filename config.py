"""Configuration classes.

Development runs on SQLite in ``instance/`` with the threading Socket.IO server; production reads every secret
and address from the environment and refuses to start without ``SECRET_KEY``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class Config:
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'dialogue.db'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "threading")
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    # The Redis pub/sub channel: channels are global to a Redis server (not per database number), so two
    # deployments (or test runs) sharing one Redis must each have their own, or they receive each other's events.
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL") or "flask-socketio"
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    DISPLAY_TIMEZONE = "Asia/Ho_Chi_Minh"
    WTF_CSRF_TIME_LIMIT = None  # a form left open through a long session must still submit
    # Several processes must count sign-in attempts together: with a Redis for the live events, they use it too.
    RATELIMIT_STORAGE_URI = (
        os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("SOCKETIO_MESSAGE_QUEUE") or "memory://"
    )
    RATELIMIT_ENABLED = True
    # Redis gone must not mean every password sign-in answering 500: the limiter counts in this process's memory
    # until Redis is back (it logs the switch both ways), a limit per process instead of a shared one meanwhile.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # A Redis host that is down but not refusing (no RST) must not hold each sign-in for the TCP timeout.
    RATELIMIT_STORAGE_OPTIONS = (
        {"socket_connect_timeout": 1, "socket_timeout": 1} if RATELIMIT_STORAGE_URI.startswith("redis") else {}
    )
    # Wrong passwords for one account from one address; and all sign-ins from one address, which is looser because a
    # hall's phones share the venue's Wi-Fi and its one public address.
    LOGIN_RATE_LIMIT = "10 per minute"
    LOGIN_RATE_LIMIT_PER_ADDRESS = "60 per minute"
    # How many reverse proxies (nginx) stand in front and set X-Forwarded-For/-Proto. 0 trusts no such header:
    # behind nginx every request would come from nginx's address, and the sign-in limit would be one for everyone.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    LOGIN_LINK_MAX_AGE_DAYS = 60
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads")
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "doi-thoai@localhost")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    REMINDER_DAYS_AHEAD = int(os.environ.get("REMINDER_DAYS_AHEAD", "7"))
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)

    @classmethod
    def validate(cls) -> None:
        """Hook for configurations that must refuse to start on missing settings."""


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"
    DEBUG = True


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DB_URI", "sqlite://")
    WTF_CSRF_ENABLED = False
    LOGIN_RATE_LIMIT = "1000 per minute"  # a test lowers it to see the limit work
    MAIL_SERVER = None
    SERVER_NAME = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Strict-Transport-Security: once a browser has reached the app over HTTPS it never tries plain HTTP again (a
    # hall's Wi-Fi is the place for a downgrade). 0 turns it off, for a deployment without TLS.
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 86400)))
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")

    @classmethod
    def validate(cls) -> None:
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in the environment for production.")


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}
