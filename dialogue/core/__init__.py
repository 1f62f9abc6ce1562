"""Pieces every area uses: text folding, time, errors, access declarations, after-commit hooks."""
