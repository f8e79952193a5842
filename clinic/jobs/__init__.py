"""Background jobs run by a separate APScheduler process (``flask --app clinic scheduler``)."""
