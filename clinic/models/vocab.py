"""Fixed vocabularies of the domain: stored as short strings, guarded by CHECK constraints."""

from __future__ import annotations

from enum import StrEnum

from ..core.messages import N_


class Labelled(StrEnum):
    """A string enum whose members carry a human label for screens and documents. The label is English,
    marked for the catalogue (``N_``: here, or in ``SCREEN_LABELS`` for the labels derived from the value);
    screens translate it when they show it (the ``label`` filter, ``clinic.i18n.say``); the API and FHIR
    keep the codes and the English."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @classmethod
    def values(cls) -> list[str]:
        return [m.value for m in cls]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class Role(Labelled):
    FRONT_DESK = "front_desk"
    RADIOLOGIST = "radiologist"
    NURSE = "nurse"
    ADMIN = "admin"


class Sex(Labelled):
    FEMALE = "female"
    MALE = "male"
    DIVERSE = "diverse"
    UNKNOWN = "unknown"


class Language(Labelled):
    DE = "de"
    EN = "en"

    @property
    def label(self) -> str:
        """The language's name for screens, in the reader's language (Englisch on a German screen)."""
        return {"de": N_("German"), "en": N_("English")}[self.value]

    @property
    def own_name(self) -> str:
        """The language's name in that language, for whoever chooses the language they read (Deutsch, English)."""
        return {"de": "Deutsch", "en": "English"}[self.value]


class Region(Labelled):
    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"
    SACRAL = "sacral"
    OTHER = "other"


class Side(Labelled):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"
    MIDLINE = "midline"


class Stage(Labelled):
    DIAGNOSTIC = "diagnostic"
    THERAPEUTIC = "therapeutic"
    NEUROLYTIC = "neurolytic"


class Target(Labelled):
    """What exactly a procedure is aimed at, chosen at triage for the procedures that have a choice
    (clinical facts §2.2, §2.3, §2.5): it decides what the consent form names and which risks it lists."""

    STELLATE = "stellate"
    THORACIC_CHAIN = "thoracic_chain"
    CELIAC = "celiac"
    LUMBAR_CHAIN = "lumbar_chain"
    HYPOGASTRIC = "hypogastric"
    IMPAR = "impar"
    INTRA_ARTICULAR = "intra_articular"
    MEDIAL_BRANCH = "medial_branch"
    INTERLAMINAR = "interlaminar"
    CAUDAL = "caudal"

    @property
    def label(self) -> str:
        return TARGET_LABELS[self.value]

    @property
    def midline(self) -> bool:
        """A midline target has no side (celiac and hypogastric plexus, ganglion impar, caudal)."""
        return self.value in ("celiac", "hypogastric", "impar", "caudal")


TARGET_LABELS = {
    "stellate": N_("Stellate ganglion"),
    "thoracic_chain": N_("Thoracic sympathetic chain"),
    "celiac": N_("Celiac plexus"),
    "lumbar_chain": N_("Lumbar sympathetic chain"),
    "hypogastric": N_("Superior hypogastric plexus"),
    "impar": N_("Ganglion impar"),
    "intra_articular": N_("Intra-articular injection"),
    "medial_branch": N_("Medial branch block"),
    "interlaminar": N_("Interlaminar"),
    "caudal": N_("Caudal (sacral hiatus)"),
}

# The procedures (by catalogue code) whose plan names a target, and the targets each one offers.
TARGETS_BY_PROCEDURE: dict[str, tuple[str, ...]] = {
    "SYMP": ("stellate", "thoracic_chain", "celiac", "lumbar_chain", "hypogastric", "impar"),
    "FACET": ("intra_articular", "medial_branch"),
    "EPI": ("interlaminar", "caudal"),
}


class Modality(Labelled):
    CT = "CT"
    MRI = "MRI"

    @property
    def label(self) -> str:
        return self.value


class BleedingClass(Labelled):
    LOW = "low"
    INTERMEDIATE = "intermediate"
    HIGH = "high"

    def raised(self) -> BleedingClass:
        """One tier higher, as ASRA 2018 advises for patients with a raised bleeding risk."""
        order = [BleedingClass.LOW, BleedingClass.INTERMEDIATE, BleedingClass.HIGH]
        return order[min(order.index(self) + 1, len(order) - 1)]


class ReferralStatus(Labelled):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    INFO_REQUESTED = "info_requested"
    CLOSED = "closed"


class Priority(Labelled):
    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"


class AppointmentStatus(Labelled):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    IN_PROCEDURE = "in_procedure"
    IN_OBSERVATION = "in_observation"
    DISCHARGED = "discharged"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def fhir(self) -> str:
        return {
            "booked": "booked",
            "checked_in": "checked-in",
            "in_procedure": "arrived",
            "in_observation": "arrived",
            "discharged": "fulfilled",
            "cancelled": "cancelled",
            "no_show": "noshow",
        }[self.value]


# The forward chain of the day; cancelled and no_show end it early from booked (or checked_in).
STATUS_CHAIN = [
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.IN_PROCEDURE,
    AppointmentStatus.IN_OBSERVATION,
    AppointmentStatus.DISCHARGED,
]
ENDED_EARLY = {AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW}
# Which status may follow which: one step forward along the chain, or an early end. ``Appointment`` checks
# every change against this table (its methods check_in, start, end_procedure, discharge, cancel,
# mark_no_show); a move to another time keeps an appointment booked and is no change of status.
TRANSITIONS: dict[AppointmentStatus, frozenset[AppointmentStatus]] = {
    AppointmentStatus.BOOKED: frozenset(
        {AppointmentStatus.CHECKED_IN, AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW}
    ),
    AppointmentStatus.CHECKED_IN: frozenset({AppointmentStatus.IN_PROCEDURE, AppointmentStatus.CANCELLED}),
    AppointmentStatus.IN_PROCEDURE: frozenset({AppointmentStatus.IN_OBSERVATION}),
    AppointmentStatus.IN_OBSERVATION: frozenset({AppointmentStatus.DISCHARGED}),
}
INACTIVE_STATUSES = ENDED_EARLY


class PartOfDay(Labelled):
    ANY = "any"
    MORNING = "morning"
    AFTERNOON = "afternoon"

    @property
    def label(self) -> str:
        return N_("Any time") if self is PartOfDay.ANY else super().label

    def includes(self) -> tuple[str, ...]:
        """The wishes that take this part of the day: a patient who takes any time takes a morning too."""
        return (self.value,) if self is PartOfDay.ANY else (self.value, PartOfDay.ANY.value)


class ClosureScope(Labelled):
    CLINIC = "clinic"
    ROOM = "room"
    UNIT = "unit"
    RADIOLOGIST = "radiologist"


class ReliefCategory(Labelled):
    COMPLETE_OR_SIGNIFICANT = "complete_or_significant"
    MILD_TO_MODERATE = "mild_to_moderate"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            "complete_or_significant": N_("Complete or significant"),
            "mild_to_moderate": N_("Mild to moderate"),
            "none": N_("None"),
        }[self.value]


class HoldAction(Labelled):
    HOLD = "hold"
    NO_HOLD = "no_hold"
    SHARED = "shared_assessment"

    @property
    def label(self) -> str:
        return {"hold": N_("Hold"), "no_hold": N_("No hold"), "shared_assessment": N_("Shared assessment")}[self.value]


class FileKind(Labelled):
    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    DICOM = "dicom"

    @property
    def content_type(self) -> str:
        return {
            "pdf": "application/pdf",
            "jpeg": "image/jpeg",
            "png": "image/png",
            "dicom": "application/dicom",
        }[self.value]


class IdentityCheck(Labelled):
    MATCH = "match"
    MISMATCH = "mismatch"
    CANNOT_VERIFY = "cannot_verify"
    NOT_APPLICABLE = "not_applicable"


class OutboxStatus(Labelled):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class MessageKind(Labelled):
    """What an email of the outbox is (``OutboxMessage.kind``)."""

    REMINDER = "reminder"
    PORTAL_LINK = "portal_link"

    @property
    def label(self) -> str:
        return {"reminder": N_("Appointment reminder"), "portal_link": N_("Patient link")}[self.value]


class DocumentKind(Labelled):
    INFORMATION = "information"
    CONSENT = "consent"


class FollowUpKind(Labelled):
    SAME_DAY = "0d"  # the result of a diagnostic stage (block), on the day of the procedure
    TWO_WEEKS = "2w"
    THREE_MONTHS = "3m"

    @property
    def label(self) -> str:
        return {"0d": N_("Same day"), "2w": N_("2 weeks"), "3m": N_("3 months")}[self.value]


class FollowUpStatus(Labelled):
    PENDING = "pending"
    DUE = "due"
    DONE = "done"
    UNREACHABLE = "unreachable"


class RedFlag(Labelled):
    """Red-flag questions of the clinical facts file, §5. The first four are emergencies."""

    BLADDER_BOWEL = "bladder_bowel"
    SADDLE_NUMBNESS = "saddle_numbness"
    PROGRESSIVE_WEAKNESS = "progressive_weakness"
    WEAKNESS_WITH_EASING_PAIN = "weakness_with_easing_pain"
    INFECTION = "infection"
    TUMOUR = "tumour"
    FRACTURE = "fracture"
    OTHER_SERIOUS = "other_serious"

    @property
    def emergency(self) -> bool:
        return self in EMERGENCY_FLAGS

    @property
    def label(self) -> str:
        return RED_FLAG_QUESTIONS[self.value]


EMERGENCY_FLAGS = {
    RedFlag.BLADDER_BOWEL,
    RedFlag.SADDLE_NUMBNESS,
    RedFlag.PROGRESSIVE_WEAKNESS,
    RedFlag.WEAKNESS_WITH_EASING_PAIN,
}

RED_FLAG_QUESTIONS = {
    "bladder_bowel": N_("New trouble passing urine, new incontinence of urine or stool"),
    "saddle_numbness": N_("Numbness around the genitals or back passage (saddle area)"),
    "progressive_weakness": N_("Severe or increasing weakness in the legs, or new trouble walking"),
    "weakness_with_easing_pain": N_("Pain easing while weakness gets worse"),
    "infection": N_("Fever or chills, recent infection, immune suppression or a recent spinal injection"),
    "tumour": N_("History of cancer, unexplained weight loss, or severe pain at night"),
    "fracture": N_("Recent trauma, or minor trauma with osteoporosis or long-term steroids"),
    "other_serious": N_(
        "Thoracic pain, new deformity, widespread nerve signs, feeling very unwell, known aortic aneurysm"
    ),
}

TREATMENTS = {
    "nsaids": N_("Anti-inflammatory painkillers"),
    "opioids": N_("Opioids"),
    "physiotherapy": N_("Physiotherapy"),
    "injections": N_("Earlier injections"),
    "surgery": N_("Spine surgery"),
}

ALLERGENS = {
    "contrast": N_("Contrast medium"),
    "local_anaesthetic": N_("Local anaesthetics"),
    "steroid": N_("Steroids"),
    "iodine": N_("Iodine"),
    "latex": N_("Latex"),
}


# The labels derived from the values (``Labelled.label``), marked for the catalogue; a test checks that
# every label of every Labelled enum is marked (tests/test_i18n.py). Not here: Modality and FileKind (CT,
# MRI, PDF: the same in every language).
SCREEN_LABELS = (
    # Role
    N_("Front desk"),
    N_("Radiologist"),
    N_("Nurse"),
    N_("Admin"),
    # Sex
    N_("Female"),
    N_("Male"),
    N_("Diverse"),
    N_("Unknown"),
    # Region
    N_("Cervical"),
    N_("Thoracic"),
    N_("Lumbar"),
    N_("Sacral"),
    N_("Other"),
    # Side
    N_("Left"),
    N_("Right"),
    N_("Bilateral"),
    N_("Midline"),
    # Stage
    N_("Diagnostic"),
    N_("Therapeutic"),
    N_("Neurolytic"),
    # BleedingClass
    N_("Low"),
    N_("Intermediate"),
    N_("High"),
    # ReferralStatus
    N_("Received"),
    N_("Accepted"),
    N_("Declined"),
    N_("Info requested"),
    N_("Closed"),
    # Priority
    N_("Routine"),
    N_("Soon"),
    N_("Urgent"),
    # AppointmentStatus
    N_("Booked"),
    N_("Checked in"),
    N_("In procedure"),
    N_("In observation"),
    N_("Discharged"),
    N_("Cancelled"),
    N_("No show"),
    # PartOfDay
    N_("Any"),
    N_("Morning"),
    N_("Afternoon"),
    # ClosureScope
    N_("Clinic"),
    N_("Room"),
    N_("Unit"),
    N_("Radiologist"),
    # IdentityCheck
    N_("Match"),
    N_("Mismatch"),
    N_("Cannot verify"),
    N_("Not applicable"),
    # OutboxStatus
    N_("Queued"),
    N_("Sent"),
    N_("Failed"),
    # DocumentKind
    N_("Information"),
    N_("Consent"),
    # FollowUpStatus
    N_("Pending"),
    N_("Due"),
    N_("Done"),
    N_("Unreachable"),
)
