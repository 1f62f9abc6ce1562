"""The office's calendar of Vietnamese working days, on which every deadline counts."""
