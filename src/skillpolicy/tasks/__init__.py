"""Jobs above one sheet: a folder of rosters, one row explained, plans, expert scores, a program's
sample sheet."""
