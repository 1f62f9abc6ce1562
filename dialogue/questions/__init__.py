"""Submissions before the session (questions, opinions, recommendations, proposals) and their moderation."""
