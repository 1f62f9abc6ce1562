"""The production entry point for gunicorn (``make serve``).

gevent's monkey patching must run before anything else is imported, so that sockets, threads and psycopg's
waits yield to other greenlets. ``flask run`` never imports this file, so development stays on threads.
"""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402

from dialogue import create_app  # noqa: E402

os.environ.setdefault("SOCKETIO_ASYNC_MODE", "gevent")
app = create_app(
    os.environ.get("DIALOGUE_CONFIG", "production"), SOCKETIO_ASYNC_MODE="gevent", DATABASE_MIGRATIONS=False
)
