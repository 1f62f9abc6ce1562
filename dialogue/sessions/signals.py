"""What the sessions area announces to the areas above it (blinker signals).

``status_changed`` is sent inside the transaction that moves a session (the live area sets its opening and
closing times and ends the turn under way, in the same unit of work); ``live_state_changed`` is sent after the
commit of any change the live screens show (the live area builds the new state and sends it to the room).
"""

from blinker import Namespace

_signals = Namespace()

# sender: the DialogueSession; ``actor=``, ``before=``, ``after=`` (the statuses). In the transaction.
status_changed = _signals.signal("session-status-changed")

# ``session_id=``: the live version moved and the change is committed.
live_state_changed = _signals.signal("live-state-changed")

# ``session_id=``, ``user_id=``: may this invitee be dropped from the list? A receiver returns a reason (a
# message) to refuse, or None. Sent before an invitation is removed.
invitee_removal = _signals.signal("invitee-removal")
