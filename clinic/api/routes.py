"""Every view of the API, registered on the blueprint by importing its module."""

from .views import appointments, catalogue, day, docs, documents, patients, referrals, slots, uploads, worklist

__all__ = [
    "appointments",
    "catalogue",
    "day",
    "docs",
    "documents",
    "patients",
    "referrals",
    "slots",
    "uploads",
    "worklist",
]
