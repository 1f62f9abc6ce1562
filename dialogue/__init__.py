"""Đối thoại: direct dialogue sessions between Party leaders and the cell secretaries they lead."""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path

from flask import Flask, g, request, session
from flask_login import current_user

from .extensions import babel, csrf, db, limiter, login_manager, socketio

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT_DIR = PACKAGE_DIR.parent


def create_app(config: str | type | None = None, **overrides) -> Flask:
    """Builds the app. ``config`` is a name (development, test, production) or a class; ``overrides`` win."""
    from config import CONFIGS, INSTANCE_DIR

    if config is None or isinstance(config, str):
        config = CONFIGS[config or os.environ.get("DIALOGUE_CONFIG", "development")]
    config.validate()
    app = Flask(
        __name__,
        template_folder=str(ROOT_DIR / "templates"),
        static_folder=str(ROOT_DIR / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(config)
    app.config.update(overrides)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(PACKAGE_DIR / "translations"))
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set.")
    os.makedirs(app.instance_path, exist_ok=True)
    logging.basicConfig(level=logging.INFO)
    from .core import inputs

    inputs.install(app)  # before any route: <int:...> is bounded, and every request's arguments are checked
    _init_extensions(app)
    _register_modules(app)
    _register_template_helpers(app)
    from .core.assets import register_asset_versions
    from .core.uow import register_request_boundary
    from .core.web import register_error_handlers, register_security_headers, renew_csrf_at_sign_in

    register_error_handlers(app)
    register_security_headers(app)
    register_asset_versions(app)
    renew_csrf_at_sign_in(app)
    register_request_boundary(app, app.extensions["unit_of_work_race"])
    trust_proxies(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies, the address and scheme are the ones they forward.

    Outermost, so the Socket.IO connections see the phone's address too. With none (the default) the headers are
    ignored: anyone can write them.
    """
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def _init_extensions(app: Flask) -> None:
    from . import models_registry  # noqa: F401  (every table known to SQLAlchemy and Alembic)

    db.init_app(app)
    if app.config.get("DATABASE_MIGRATIONS", True):
        # The `flask db` commands. The production web worker (wsgi.py) leaves Alembic out: it never migrates
        # (`make serve` runs `flask db upgrade` first, in its own process) and its memory serves the phones.
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(ROOT_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: app.config["DISPLAY_TIMEZONE"])
    from .live.socket_manager import client_manager

    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        client_manager=client_manager(app.config["SOCKETIO_MESSAGE_QUEUE"], app.config["SOCKETIO_CHANNEL"]),
        # Same-origin only (the default); phones reach the app by its own address.
        cors_allowed_origins=None,
        ping_interval=25,
        ping_timeout=20,
    )

    from .accounts.signin import load_user, load_user_from_bearer

    login_manager.user_loader(load_user)
    login_manager.request_loader(load_user_from_bearer)


def _register_modules(app: Flask) -> None:
    from .api import bp as api_bp
    from .blueprints import API_MODULES, CLI_MODULES, PAGE_MODULES, RECEIVER_MODULES, SOCKET_MODULES

    for name in PAGE_MODULES:
        app.register_blueprint(importlib.import_module(name).bp)
    for name in API_MODULES:
        importlib.import_module(name)
    from .api import docs

    app.register_blueprint(api_bp)
    app.register_blueprint(docs.bp)
    csrf.exempt(api_bp)  # the API checks CSRF itself for cookie-authenticated calls
    for name in SOCKET_MODULES + RECEIVER_MODULES:
        importlib.import_module(name)
    for name in CLI_MODULES:
        importlib.import_module(name).register_cli(app)
    from .core.uow import wrap_cli_commands

    wrap_cli_commands(app.cli)  # each command is one unit of work


def select_locale() -> str:
    """The language chosen in the header (remembered in the session and on the account), else Vietnamese."""
    from flask import current_app, has_request_context

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = request.args.get("lang")
    if chosen in languages:
        return chosen
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _register_template_helpers(app: Flask) -> None:
    from .core import permissions, timeutil

    app.jinja_env.filters["date"] = timeutil.format_date
    app.jinja_env.filters["datetime"] = timeutil.format_datetime
    app.jinja_env.filters["time"] = timeutil.format_time
    app.jinja_env.filters["iso"] = timeutil.isoformat
    app.jinja_env.globals["can"] = lambda name, obj=None: permissions.can(current_user, name, obj)

    @app.context_processor
    def inject_globals():
        from flask_babel import get_locale

        from .core.labels import LABELS
        from .notifications.services import unread_count

        unread = 0
        if current_user.is_authenticated:
            if "unread_notices" not in g:
                g.unread_notices = unread_count(current_user)
            unread = g.unread_notices
        from .core.nav import nav_for

        nav = nav_for(current_user) if current_user.is_authenticated else []
        return {"current_locale": str(get_locale()), "labels": LABELS, "unread_notices": unread, "nav": nav}
