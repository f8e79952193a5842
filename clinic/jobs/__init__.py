"""Background jobs run by a separate APScheduler process (``flask --app clinic scheduler``).

- ``tasks``: the job bodies (reminders, no-shows, follow-ups due, ageing referrals, expired holds, the
  outbox sender), each idempotent and committing for itself; no Flask.
- ``reminders``: the reminder email's text, in German and English.
- ``mailer``: SMTP delivery, and why a message can at worst arrive twice, never be lost.
- ``runner``: one run of one job, recorded as a JobRun row.
- ``locks``: one scheduler at a time (PostgreSQL advisory lock, or a lock file next to SQLite).
- ``scheduler``: the intervals, waiting for the lock, stopping gently; ``cli``: the command.
"""
