"""Follow-up commitments: who does what by when, tracked to completion and reported back."""
