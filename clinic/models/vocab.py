"""Fixed vocabularies of the domain: stored as short strings, guarded by CHECK constraints."""

from __future__ import annotations

from enum import StrEnum

from ..core.messages import N_, Phrase


class Labelled(StrEnum):
    """A string enum whose members carry a human label for screens and documents. The label is the value in
    words ("checked_in": "Checked in", marked for the catalogue in ``SCREEN_LABELS``), or, where that does
    not do, given with the member: ``HOLD = "hold", N_("Hold")``. It is English; screens translate it when
    they show it (the ``label`` filter, ``clinic.i18n.say``); the API and FHIR keep the codes and the
    English."""

    _label: str | None

    def __new__(cls, value: str, label: str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        return self._label or self.value.replace("_", " ").capitalize()

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
    """A language: named in the reader's language on screens (``label``), by its own name where it is chosen."""

    DE = "de", N_("German")  # the name for screens, in the reader's language (Englisch on a German screen)
    EN = "en", N_("English")

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

    @property
    def phrase(self) -> Phrase:
        """The stage as the screens name it beside a procedure, the one wording of it (walk finding: "Stufe
        diagnostisch" on one page, "Diagnostisch" on another): "Diagnostic stage", in German "Stufe
        Diagnostisch", as the sentences that name a stage say it ("{code}, Stufe {stage}, durchgeführt am")."""
        return Phrase(N_("{stage} stage"), stage=Phrase(self.label))

    @property
    def word(self) -> Phrase:
        """The stage inside a sentence that says "stage" itself ("the diagnostic stage"; in German "die Stufe
        Diagnostisch"): lower case in English, the label as it is in German."""
        return Phrase(self.label, lower=True)


class Target(Labelled):
    """What exactly a procedure is aimed at, chosen at triage for the procedures that have a choice
    (clinical facts §2.2, §2.3, §2.5): it decides what the consent form names and which risks it lists."""

    STELLATE = "stellate", N_("Stellate ganglion")
    THORACIC_CHAIN = "thoracic_chain", N_("Thoracic sympathetic chain")
    CELIAC = "celiac", N_("Celiac plexus")
    LUMBAR_CHAIN = "lumbar_chain", N_("Lumbar sympathetic chain")
    HYPOGASTRIC = "hypogastric", N_("Superior hypogastric plexus")
    IMPAR = "impar", N_("Ganglion impar")
    INTRA_ARTICULAR = "intra_articular", N_("Intra-articular injection")
    MEDIAL_BRANCH = "medial_branch", N_("Medial branch block")
    INTERLAMINAR = "interlaminar", N_("Interlaminar")
    CAUDAL = "caudal", N_("Caudal (sacral hiatus)")

    @property
    def midline(self) -> bool:
        """A midline target has no side (celiac and hypogastric plexus, ganglion impar, caudal)."""
        return self.value in ("celiac", "hypogastric", "impar", "caudal")


# The procedures (by catalogue code) whose plan names a target, and the targets each one offers.
TARGETS_BY_PROCEDURE: dict[str, tuple[str, ...]] = {
    "SYMP": ("stellate", "thoracic_chain", "celiac", "lumbar_chain", "hypogastric", "impar"),
    "FACET": ("intra_articular", "medial_branch"),
    "EPI": ("interlaminar", "caudal"),
}

# The stages each procedure with stages (catalogue ``needs_stage``) is done at (clinical facts §2.2, §2.3): a
# facet block is diagnostic or therapeutic (its neurolytic step is the RFA, a procedure of its own), a
# sympathetic block diagnostic or neurolytic. A procedure with stages not named here takes any stage.
STAGES_BY_PROCEDURE: dict[str, tuple[str, ...]] = {
    "FACET": ("diagnostic", "therapeutic"),
    "SYMP": ("diagnostic", "neurolytic"),
}


class Modality(Labelled):
    CT = "CT", N_("CT")
    MRI = "MRI", N_("MRI")  # German screens say MRT


# The procedures that may be done under MRI guidance (clinical facts §3: PRT and facet blocks in specialised
# centres; radiofrequency ablation is generally not practical under MRI, sympathetic and epidural blocks are
# CT work). Any other procedure planned under MRI is refused at the guidance field.
MRI_GUIDED_PROCEDURES = frozenset({"PRT", "FACET"})


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
    COMPLETE_OR_SIGNIFICANT = "complete_or_significant", N_("Complete or significant")
    MILD_TO_MODERATE = "mild_to_moderate", N_("Mild to moderate")
    NONE = "none", N_("None")


class HoldAction(Labelled):
    HOLD = "hold", N_("Hold")
    NO_HOLD = "no_hold", N_("No hold")
    SHARED = "shared_assessment", N_("Shared assessment")


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

    REMINDER = "reminder", N_("Appointment reminder")
    PORTAL_LINK = "portal_link", N_("Patient link")


class DocumentKind(Labelled):
    INFORMATION = "information"
    CONSENT = "consent"


class FollowUpKind(Labelled):
    SAME_DAY = "0d", N_("Same day")  # the result of a diagnostic stage (block), on the day of the procedure
    TWO_WEEKS = "2w", N_("2 weeks")
    THREE_MONTHS = "3m", N_("3 months")


class FollowUpStatus(Labelled):
    PENDING = "pending"
    DUE = "due"
    DONE = "done"
    UNREACHABLE = "unreachable"


class RedFlag(Labelled):
    """Red-flag questions of the clinical facts file, §5. The first four are emergencies."""

    BLADDER_BOWEL = "bladder_bowel", N_("New trouble passing urine, new incontinence of urine or stool")
    SADDLE_NUMBNESS = "saddle_numbness", N_("Numbness around the genitals or back passage (saddle area)")
    PROGRESSIVE_WEAKNESS = (
        "progressive_weakness",
        N_("Severe or increasing weakness in the legs, or new trouble walking"),
    )
    WEAKNESS_WITH_EASING_PAIN = "weakness_with_easing_pain", N_("Pain easing while weakness gets worse")
    INFECTION = "infection", N_("Fever or chills, recent infection, immune suppression or a recent spinal injection")
    TUMOUR = "tumour", N_("History of cancer, unexplained weight loss, or severe pain at night")
    FRACTURE = "fracture", N_("Recent trauma, or minor trauma with osteoporosis or long-term steroids")
    OTHER_SERIOUS = (
        "other_serious",
        N_("Thoracic pain, new deformity, widespread nerve signs, feeling very unwell, known aortic aneurysm"),
    )

    @property
    def emergency(self) -> bool:
        return self in EMERGENCY_FLAGS


EMERGENCY_FLAGS = {
    RedFlag.BLADDER_BOWEL,
    RedFlag.SADDLE_NUMBNESS,
    RedFlag.PROGRESSIVE_WEAKNESS,
    RedFlag.WEAKNESS_WITH_EASING_PAIN,
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
# every label of every Labelled enum is marked (tests/test_i18n.py). Not here: Modality (marked in its class:
# German says MRT) and FileKind (PDF, DICOM: the same in every language).
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
