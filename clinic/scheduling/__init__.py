"""Availability, slot finding and booking. No Flask in here: the screens, the API, the jobs and the
benchmarks call the same functions with a session, the acting user and the clinic's settings."""
