"""What else a move changes besides the time: the room, the radiologist and the bed of the chosen chain, and
the latest moment of each paused drug's last dose (it is counted back from the table start, so it moves
with the appointment). Walk finding: the desk confirmed "move from 09:30 to 08:00" and learnt only
afterwards that the radiologist, the bed and the patient's Clopidogrel stop time had changed too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..core.holds import CALL_SOON, HoldPlan
from ..core.messages import Named
from ..models import Appointment
from ..scheduling.finder import Candidate
from .documents import hold_plan_for


@dataclass(frozen=True)
class StopChange:
    """A paused drug's latest last dose before the move and after it."""

    drug: Named
    before: dt.datetime
    after: dt.datetime


@dataclass(frozen=True)
class MoveChanges:
    """The resources that differ from the appointment's (old id, new id; None where the same) and the stop
    times that move."""

    room: tuple[int, int] | None = None
    radiologist: tuple[int, int] | None = None
    bed: tuple[int | None, int | None] | None = None
    stops: list[StopChange] = field(default_factory=list)
    # At the new time, the appointment page's "call the patient now" (``HoldPlan.call_urgently``): the moment
    # the first drug still to confirm must be stopped by, too soon for a letter; None when there is none.
    call_by: dt.datetime | None = None
    # The new time itself is too soon for a letter to arrive (within ``CALL_SOON``, the same 48 hours).
    too_soon_for_post: bool = False


def stop_changes(plan: HoldPlan | None, old_start: dt.datetime, new_start: dt.datetime) -> list[StopChange]:
    """The paused drugs whose latest last dose the move shifts (an override does not stop them: it covers
    only the drugs without a rule, which have no hours)."""
    if plan is None or old_start == new_start:
        return []
    changes = []
    for item in plan.items:
        before, after = item.last_dose_no_later_than(old_start), item.last_dose_no_later_than(new_start)
        if before is not None and after is not None and before != after:
            changes.append(StopChange(item.named, before, after))
    return changes


def move_changes(
    appointment: Appointment,
    candidate: Candidate,
    plan: HoldPlan | None,
    now: dt.datetime | None = None,
    zone: str | None = None,
) -> MoveChanges:
    """What moving ``appointment`` to ``candidate`` changes besides the time (``plan``: its hold plan); with
    ``now``, also whether the patient must be called rather than sent the letter (walk 22: the message after a
    move near its day said to post the new letter while the appointment page said "call the patient now"). With
    ``zone``, a recorded last dose that breaks the hold counts for the call (``HoldPlan.stop_by``)."""

    def differs(old, new):
        return (old, new) if old != new else None

    return MoveChanges(
        room=differs(appointment.room_id, candidate.room_id),
        radiologist=differs(appointment.radiologist_id, candidate.radiologist_id),
        bed=differs(appointment.bed_id, candidate.bed_id),
        stops=stop_changes(plan, appointment.table_start, candidate.table_start),
        call_by=plan.call_urgently(candidate.table_start, now, zone) if plan is not None and now is not None else None,
        too_soon_for_post=now is not None and candidate.table_start < now + CALL_SOON,
    )


def hold_plan(session: Session, appointment: Appointment) -> HoldPlan | None:
    """The appointment's hold plan, read once for all the times a move page offers."""
    return hold_plan_for(session, appointment) if appointment.referral is not None else None
