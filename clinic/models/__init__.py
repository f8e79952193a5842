"""All models, imported here so that metadata and migrations see every table."""

from .appointments import Appointment, AppointmentEvent, Booking, BookingHold, WaitlistEntry
from .audit import AuditEvent
from .catalogue import DrugOption, ProcedureType, StageRule
from .clinical import (
    Consent,
    CriticalRelease,
    FollowUp,
    ObservationCheck,
    ObservationRecord,
    ProcedureAddendum,
    ProcedureDrug,
    ProcedureRecord,
    RestartCall,
)
from .dicom import PacsRetrieval, PerformedStep
from .documents import DocumentText
from .feeds import CalendarFeed
from .idempotency import IdempotentRequest
from .imaging import ImagingStudy, StoredFile, StudyFile
from .messaging import OutboxMessage
from .patients import Patient, ReferringPhysician
from .portal import PortalAnswer, PortalLink
from .preregistration import AnticoagulantRule, MedicationEntry, PreRegistration
from .referrals import RedFlagAnswer, Referral, ReferralDocument
from .resources import Closure, ObservationBed, Room, RoomSession, RosterEntry, RosterException
from .settings import ChangeMark, ChangeScope, ClinicSetting, JobRun
from .users import ApiToken, User, UserRole

__all__ = [
    "AnticoagulantRule",
    "ApiToken",
    "Appointment",
    "AppointmentEvent",
    "AuditEvent",
    "Booking",
    "BookingHold",
    "CalendarFeed",
    "ChangeMark",
    "ChangeScope",
    "ClinicSetting",
    "Closure",
    "Consent",
    "CriticalRelease",
    "DocumentText",
    "DrugOption",
    "FollowUp",
    "IdempotentRequest",
    "ImagingStudy",
    "JobRun",
    "MedicationEntry",
    "ObservationBed",
    "ObservationCheck",
    "ObservationRecord",
    "OutboxMessage",
    "PacsRetrieval",
    "Patient",
    "PerformedStep",
    "PortalAnswer",
    "PortalLink",
    "PreRegistration",
    "ProcedureAddendum",
    "ProcedureDrug",
    "ProcedureRecord",
    "ProcedureType",
    "RedFlagAnswer",
    "Referral",
    "ReferralDocument",
    "ReferringPhysician",
    "RestartCall",
    "Room",
    "RoomSession",
    "RosterEntry",
    "RosterException",
    "StageRule",
    "StoredFile",
    "StudyFile",
    "User",
    "UserRole",
    "WaitlistEntry",
]
