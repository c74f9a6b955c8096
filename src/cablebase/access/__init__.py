"""Access control: who reads what (policy), accounts and sessions, audit, releases."""
