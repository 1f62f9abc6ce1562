"""Socket.IO client managers that can end a person's connections in every process.

Each signed-in connection is also in its person's room (``person_room``). Closing that room disconnects its
members: here, and, through the message queue, in every other process, which is what python-socketio's own
``disconnect`` cannot do for a person (it knows connections only by id, and only where they are).
"""

from __future__ import annotations

from typing import Any

import socketio

PERSON_ROOM_PREFIX = "person-"


def person_room(user_id: int) -> str:
    return f"{PERSON_ROOM_PREFIX}{user_id}"


def _disconnect_members(manager: Any, room: str | None, namespace: str | None) -> None:
    namespace = namespace or "/"
    if not room or not room.startswith(PERSON_ROOM_PREFIX):
        return
    for sid, _eio_sid in list(manager.get_participants(namespace, room)):
        manager.server.disconnect(sid, namespace=namespace, ignore_queue=True)


class LocalManager(socketio.Manager):
    """One process, no message queue (``make run``, the tests' threaded server)."""

    def close_room(self, room: str, namespace: str | None) -> None:
        _disconnect_members(self, room, namespace)
        super().close_room(room, namespace)


class QueueManager(socketio.RedisManager):
    """Several processes on Redis: ``close_room`` is handled here and published to the others."""

    def _handle_close_room(self, message: dict) -> None:
        _disconnect_members(self, message.get("room"), message.get("namespace"))
        super()._handle_close_room(message)


def client_manager(message_queue: str | None, channel: str, write_only: bool = False) -> socketio.Manager:
    if not message_queue:
        return LocalManager()
    if not message_queue.startswith(("redis://", "rediss://")):
        raise RuntimeError("SOCKETIO_MESSAGE_QUEUE must be a redis:// address")
    return QueueManager(message_queue, channel=channel, write_only=write_only)
