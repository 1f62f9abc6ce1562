"""What the accounts area announces to the others (blinker signals, sent after the commit)."""

from blinker import Namespace

_signals = Namespace()

# ``user_id=``: every sign-in of this person has just ended (signed out, new password, deactivated, links
# revoked). The live area disconnects their open connections.
sign_ins_ended = _signals.signal("sign-ins-ended")
