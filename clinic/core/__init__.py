"""The floor every layer stands on: the clock and the clinic's zone, domain errors, the audit record,
time intervals, medication-hold arithmetic, text rules. Imports only the models (and the standard
library, SQLAlchemy); never services, scheduling, documents or a web framework."""
