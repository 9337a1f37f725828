"""Who is paid (or levied) how much: money methods, payees, subsidy lines, the levy."""
