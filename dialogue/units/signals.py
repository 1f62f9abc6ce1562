"""What the units area asks of the areas above it (blinker signals)."""

from blinker import Namespace

_signals = Namespace()

# sender: the Unit. Each receiver answers True when its area holds records of the unit (a session hosted or
# invited, an invitation, a commitment): such a unit can only be deactivated, never deleted.
unit_in_use = _signals.signal("unit-in-use")
