"""Responses: what the host answered, took on board, referred, or answered in writing."""
