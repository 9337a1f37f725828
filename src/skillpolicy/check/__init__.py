"""A sheet through its program's rules: the checker, the report, what the ledger already paid."""
