"""Dialogue sessions: scheduling, hosts, invited units and the invitations with RSVP and check-in."""
