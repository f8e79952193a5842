"""Blood pressure and pulse of an observation check: what a living patient can have (anything else is a
typing error and is refused), and the conservative band a patient is discharged in (a reading outside it is
saved, shown as critical, and keeps the patient from going home until a new check is normal).

The one place for these numbers: the check form, the service, the board and the database constraints
(``ObservationCheck``, migration of the observation checks) say the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from .messages import N_, Phrase, Phrases

# What a living patient can have, in mmHg and beats per minute; the database's check constraints
# (``systolic_valid``, ``diastolic_valid``, ``pulse_valid``) hold the same bounds.
SYSTOLIC_POSSIBLE = (40, 300)
DIASTOLIC_POSSIBLE = (20, 200)
PULSE_POSSIBLE = (20, 250)

# The band a patient goes home in after a spine injection; outside it the reading is critical: a physician
# is told, and the patient stays until a new check is inside it (a vasovagal reaction brings the pressure
# and the pulse down; pain and fear bring them up).
# TO BE CONFIRMED BY A PHYSICIAN of the clinic before use: these are conservative starting values, chosen
# by the developers, not a medical standard.
SYSTOLIC_CRITICAL_BELOW = 90
SYSTOLIC_CRITICAL_ABOVE = 180
DIASTOLIC_CRITICAL_ABOVE = 110
PULSE_CRITICAL_BELOW = 50
PULSE_CRITICAL_ABOVE = 120

SYSTOLIC_LOW = N_("systolic below {limit}")
SYSTOLIC_HIGH = N_("systolic above {limit}")
DIASTOLIC_HIGH = N_("diastolic above {limit}")
PULSE_LOW = N_("pulse below {limit}")
PULSE_HIGH = N_("pulse above {limit}")


def critical_reasons(systolic: int | None, diastolic: int | None, pulse: int | None) -> Phrases:
    """Why these values are critical, one phrase a value outside the discharge band; empty when none is."""
    reasons = []
    if systolic is not None and systolic < SYSTOLIC_CRITICAL_BELOW:
        reasons.append(Phrase(SYSTOLIC_LOW, limit=SYSTOLIC_CRITICAL_BELOW))
    if systolic is not None and systolic > SYSTOLIC_CRITICAL_ABOVE:
        reasons.append(Phrase(SYSTOLIC_HIGH, limit=SYSTOLIC_CRITICAL_ABOVE))
    if diastolic is not None and diastolic > DIASTOLIC_CRITICAL_ABOVE:
        reasons.append(Phrase(DIASTOLIC_HIGH, limit=DIASTOLIC_CRITICAL_ABOVE))
    if pulse is not None and pulse < PULSE_CRITICAL_BELOW:
        reasons.append(Phrase(PULSE_LOW, limit=PULSE_CRITICAL_BELOW))
    if pulse is not None and pulse > PULSE_CRITICAL_ABOVE:
        reasons.append(Phrase(PULSE_HIGH, limit=PULSE_CRITICAL_ABOVE))
    return Phrases(reasons, ", ")


@dataclass(frozen=True)
class Vitals:
    """The latest blood pressure and pulse of a stay, each from the last check that measured it (a later
    check of the pain alone does not make an earlier critical pressure go away)."""

    systolic: int | None = None
    diastolic: int | None = None
    pulse: int | None = None

    @property
    def reasons(self) -> Phrases:
        return critical_reasons(self.systolic, self.diastolic, self.pulse)

    @property
    def critical(self) -> bool:
        return bool(self.reasons.parts)

    @property
    def shown(self) -> str:
        """ "BP 60/30, pulse 190" as the refusals name the values (numbers only: the same in German)."""
        pressure = "/".join(str(v) for v in (self.systolic, self.diastolic) if v is not None)
        return ", ".join(part for part in (pressure and f"{pressure} mmHg", self.pulse and f"{self.pulse}/min") if part)


def latest_vitals(checks) -> Vitals:
    """The last measured systolic, diastolic and pulse of ``checks`` (in the order they were taken)."""
    latest: dict[str, int] = {}
    for check in checks:
        for name in ("systolic", "diastolic", "pulse"):
            value = getattr(check, name)
            if value is not None:
                latest[name] = value
    return Vitals(**latest)


VITAL_NAMES = ("systolic", "diastolic", "pulse")


def measured(check) -> Vitals:
    """The blood pressure and pulse ``check`` itself measured (None where it measured none)."""
    return Vitals(**{name: getattr(check, name) for name in VITAL_NAMES})


def carried_over(latest: Vitals, check) -> Vitals:
    """Of the ``latest`` vitals of a stay, those ``check`` did not measure: an earlier check's, still standing
    (a check of the pressure alone leaves an earlier critical pulse the latest)."""
    return Vitals(**{name: getattr(latest, name) for name in VITAL_NAMES if getattr(check, name) is None})
