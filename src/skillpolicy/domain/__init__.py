"""Values and their checks: cell values, identifiers, Decimal money, findings, errors, masking. No
I/O; imports nothing of skillpolicy above it."""
