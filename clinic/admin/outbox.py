"""The outbox screen (issue 7): emails sent and waiting, with filters and resend."""
