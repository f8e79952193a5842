"""Business operations. Plain functions that take a session and the acting user; no Flask here."""
