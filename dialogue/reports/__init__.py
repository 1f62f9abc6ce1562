"""The minutes, the conclusion notice, statistics and periodic reports: all from the record."""
