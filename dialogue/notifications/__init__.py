"""Telling people: in-app notices, e-mail when configured, and the once-a-day guard for reminders."""
