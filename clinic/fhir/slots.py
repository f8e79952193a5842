"""Slot search and read over the finder, and booking a Slot: the scheduling code in FHIR's terms.

No Flask here. A search needs the plan: ``service-request`` (a referral: its plan, its patient's other
appointments and medication hold respected, refused while the referral is not ready) or
``service-type`` (a procedure code: one level, one side, as the catalogue times it).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ..core.errors import DomainError, InvalidInput, NotFound
from ..core.intervals import overlaps
from ..core.timefmt import to_local
from ..models import ProcedureType, Referral, Room
from ..scheduling import availability, booking
from ..scheduling.booking import NotReady
from ..scheduling.context import SEARCH_WINDOW_DAYS, Settings
from ..scheduling.finder import Candidate, Preferences, SearchRequest, find_candidates
from ..scheduling.plan import ProcedurePlan
from ..services import preregistration
from ..services.candidates import candidates_for_referral
from .outcome import FhirError
from .queries import location_id
from .resources.slots import SlotKey
from .search import Page, check_known, parse_date, reference_id, token_values

SLOT_PARAMS = {"service-type", "service-request", "schedule", "start", "status"}
MAX_WINDOW_DAYS = 92
SCHEDULE_HORIZON_DAYS = SEARCH_WINDOW_DAYS


def referral_plan(session: Session, referral: Referral) -> ProcedurePlan:
    if referral.planned_procedure_type is None:
        raise NotReady(preregistration.missing(preregistration.checklist(session, referral)))
    return ProcedurePlan.from_referral(referral)


def catalogue_plan(pt: ProcedureType) -> ProcedurePlan:
    """The plan a procedure code stands for in a search without a referral: one level, one side."""
    return ProcedurePlan(pt)


def procedure_type_by_code(session: Session, code: str) -> ProcedureType:
    pt = session.scalar(select(ProcedureType).where(ProcedureType.code == code, ProcedureType.active))
    if pt is None:
        raise FhirError(400, f"{code!r} is not a procedure this clinic offers (see ServiceRequest codes).")
    return pt


def _window(args: MultiDict, settings: Settings) -> tuple[dt.datetime | None, dt.datetime | None, dt.date, dt.date]:
    lo = hi = None
    for raw in args.getlist("start"):
        param = parse_date(raw, settings.zone)
        if param.prefix in ("ge", "eq"):
            lo = max(lo, param.lo) if lo else param.lo
        if param.prefix in ("gt", "sa"):
            lo = max(lo, param.hi) if lo else param.hi
        if param.prefix in ("lt", "eb"):
            hi = min(hi, param.lo) if hi else param.lo
        if param.prefix in ("le", "eq"):
            hi = min(hi, param.hi) if hi else param.hi
        if param.prefix == "ne":
            raise FhirError(400, "Slots are searched by start with ge, gt, le, lt, sa, eb or eq.", "not-supported")
    today = to_local(settings.now(), settings.zone).date()
    first = max(today, to_local(lo, settings.zone).date()) if lo else today
    last = (
        to_local(hi - dt.timedelta(microseconds=1), settings.zone).date()
        if hi
        else first + dt.timedelta(days=SEARCH_WINDOW_DAYS)
    )
    if (last - first).days > MAX_WINDOW_DAYS:
        raise FhirError(400, f"Search slots at most {MAX_WINDOW_DAYS} days at a time.")
    return lo, hi, first, last


def search(session: Session, settings: Settings, args: MultiDict, page: Page) -> tuple[list[SlotKey], bool]:
    """The page of free chains and whether more follow."""
    check_known(args, SLOT_PARAMS, "Slot")
    statuses = {v for raw in args.getlist("status") for v in raw.split(",")}
    types = token_values(args, "service-type")
    requests = args.getlist("service-request")
    if (not types) == (not requests) or len(types) + len(requests) > 1:
        raise FhirError(400, "Search slots with one service-type (a procedure code) or one service-request.")
    rooms = [
        location_id(v.replace("Schedule/", ""), "room") for raw in args.getlist("schedule") for v in raw.split(",")
    ]
    if len(rooms) > 1:
        raise FhirError(400, "Search one schedule (room) at a time.")
    lo, hi, first, last = _window(args, settings)
    if (statuses and "free" not in statuses) or first > last:
        return [], False  # this server offers free slots only

    preferences = Preferences(room_id=rooms[0] if rooms else None)
    wanted = page.offset + page.count + 1
    limit = wanted
    while True:
        if requests:
            referral = session.get(Referral, reference_id(requests[0], "ServiceRequest"))
            if referral is None:
                raise NotFound("There is no such ServiceRequest.")
            plan = referral_plan(session, referral)
            ready, found = candidates_for_referral(
                session,
                settings,
                referral,
                first_day=first,
                last_day=last,
                plan=plan,
                preferences=preferences,
                limit=limit,
            )
            if not ready.ready:
                raise NotReady(ready.missing)
        else:
            plan = catalogue_plan(procedure_type_by_code(session, types[0]))
            found = find_candidates(
                session, settings, SearchRequest(plan, first, last, preferences=preferences, limit=limit)
            )
        inside = [c for c in found if (lo is None or c.table_start >= lo) and (hi is None or c.table_start < hi)]
        if len(inside) >= wanted or len(found) < limit:
            break
        limit *= 2  # the window's first day had chains before ``lo``: look further
    keys = [SlotKey.of(plan, c) for c in inside]
    return keys[page.offset : page.offset + page.count], len(keys) > page.offset + page.count


def status_of(session: Session, settings: Settings, key: SlotKey) -> tuple[ProcedureType, str]:
    """Is the chain of a Slot id still bookable? free, busy (someone took a part of it) or
    busy-unavailable (it does not fit the clinic, or has passed). Nothing is written."""
    pt = session.get(ProcedureType, key.procedure_type_id)
    if pt is None:
        raise NotFound("There is no such Slot.")
    plan = _plan_lasting(pt, key)
    c = key.candidate()
    if plan is None:
        return pt, "busy-unavailable"
    try:
        booking.validate_chain(session, settings, plan, c)
    except InvalidInput:
        return pt, "busy-unavailable"
    busy = availability.load_busy(session, c.table_start, c.obs_end, settings.now())
    taken = (
        any(overlaps(c.table_start, c.table_end, s, e) for s, e in busy.room.get(c.room_id, []))
        or any(overlaps(c.table_start, c.table_end, s, e) for s, e in busy.radiologist.get(c.radiologist_id, []))
        or (c.bed_id is not None and any(overlaps(c.table_end, c.obs_end, s, e) for s, e in busy.bed.get(c.bed_id, [])))
    )
    return pt, "busy" if taken else "free"


def _plan_lasting(pt: ProcedureType, key: SlotKey) -> ProcedurePlan | None:
    """A plan of this procedure with the Slot's minutes (a referral's plan may be longer than the
    catalogue's one level, one side): more levels, or both sides."""
    for side in (None, "bilateral"):
        for count in range(1, 11):
            plan = ProcedurePlan(pt, side=side, levels=", ".join(f"L{n}" for n in range(count)))
            if (plan.table_minutes, plan.observation_minutes) == (key.table_minutes, key.observation_minutes):
                return plan
    return None


def candidate_for_booking(session: Session, referral: Referral, key: SlotKey) -> tuple[ProcedurePlan, Candidate]:
    """The chain a Slot names, checked against the referral's own plan (the booking service checks the
    rest: readiness, the clinic's hours, the resources, the patient's other appointments)."""
    plan = referral_plan(session, referral)
    if key.procedure_type_id != plan.procedure_type.id:
        raise DomainError(
            "This Slot was found for another procedure than the ServiceRequest plans: search Slot with "
            f"service-request=ServiceRequest/{referral.id}.",
            code="slot_mismatch",
        )
    if (key.table_minutes, key.observation_minutes) != (plan.table_minutes, plan.observation_minutes):
        raise DomainError(
            f"This Slot lasts {key.table_minutes}+{key.observation_minutes} minutes; the referral's plan needs "
            f"{plan.table_minutes}+{plan.observation_minutes}: search Slot with "
            f"service-request=ServiceRequest/{referral.id}.",
            code="slot_mismatch",
        )
    return plan, key.candidate()


def schedules(session: Session, args: MultiDict) -> list[tuple[Room, list[ProcedureType]]]:
    check_known(args, {"_id", "actor", "active", "service-type"}, "Schedule")
    stmt = select(Room).order_by(Room.sort_order, Room.id)
    ids = [location_id(v, "room") for raw in args.getlist("_id") + args.getlist("actor") for v in raw.split(",")]
    if ids:
        stmt = stmt.where(Room.id.in_(ids))
    for raw in args.getlist("active"):
        stmt = stmt.where(Room.active.is_(raw == "true"))
    pts = list(session.scalars(select(ProcedureType).where(ProcedureType.active).order_by(ProcedureType.sort_order)))
    types = set(token_values(args, "service-type"))
    result = []
    for room in session.scalars(stmt):
        offered = [pt for pt in pts if pt.modality == room.modality]
        if types and not types & {pt.code for pt in offered}:
            continue
        result.append((room, offered))
    return result
