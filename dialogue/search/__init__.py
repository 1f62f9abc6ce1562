"""One search box for the staff over sessions, submissions, responses and commitments."""
