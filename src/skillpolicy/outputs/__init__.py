"""Workbooks written for the clerk: the annotated copy, the payout schedule, blank rosters, a
committed run reprinted."""
