"""What the patient answers through the link: proposed entries the front desk confirms with one click.

``propose`` checks an answer and keeps it as a ``PortalAnswer`` (an earlier unconfirmed answer to the
same item is superseded). Nothing reaches the checklist until ``confirm``: it applies the answer through
the desk's own pre-registration services with the confirming user as the actor, so the checklist shows
who settled the item, and the answer records who confirmed it and when. An answer the services cannot
take as it is (another medicine named in words, a dose the patient did not know) is refused with the
reason; the desk enters it by hand and closes the answer with a note.

Errors carry stable codes so the portal can say them in the patient's language.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import DomainError, InvalidInput, NotFound
from ..core.messages import N_, Phrase
from ..models import PortalAnswer, PortalLink, Referral
from ..models.base import utcnow
from ..models.portal import AnswerStatus, PortalItem
from . import medication, portal_links, prereg_items, preregistration
from .portal_answer_rules import CONTACT_FIELDS, clean


def propose(session: Session, link: PortalLink, item: str, data: dict, *, zone: str = "UTC") -> PortalAnswer:
    """Keep the patient's answer for the desk; an earlier unconfirmed answer to the item is superseded.
    A last dose the desk would refuse (``prereg_items.check_last_dose``, in the clinic's ``zone``) is refused
    here first, with ``details["row"]``: the medicine's row of the form."""
    payload = clean(session, item, data)
    if item == PortalItem.MEDICATION:
        for row, drug in enumerate(payload["drugs"]):
            last = dt.date.fromisoformat(drug["last_dose_on"]) if drug["last_dose_on"] else None
            try:
                prereg_items.check_last_dose(session, link.referral, last, zone)
            except InvalidInput as error:
                error.details = {**(error.details or {}), "row": row}
                raise
    session.execute(
        update(PortalAnswer)
        .where(
            PortalAnswer.referral_id == link.referral_id,
            PortalAnswer.item == item,
            PortalAnswer.status == AnswerStatus.PROPOSED,
        )
        .values(status=AnswerStatus.SUPERSEDED)
        .execution_options(synchronize_session="fetch")
    )
    answer = PortalAnswer(
        referral_id=link.referral_id,
        patient_id=link.patient_id,
        link_id=link.id,
        item=item,
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
        status=AnswerStatus.PROPOSED,
        submitted_at=utcnow(),
    )
    session.add(answer)
    session.flush()
    portal_links.record(session, link, "answered", {"item": item, "answer": answer.id})
    return answer


def pending(session: Session, referral_id: int) -> list[PortalAnswer]:
    return list(
        session.scalars(
            select(PortalAnswer)
            .where(PortalAnswer.referral_id == referral_id, PortalAnswer.status == AnswerStatus.PROPOSED)
            .order_by(PortalAnswer.item, PortalAnswer.id)
        )
    )


def latest(session: Session, referral_id: int) -> dict[str, PortalAnswer]:
    """The newest answer per item (any state), for the patient's own overview."""
    found: dict[str, PortalAnswer] = {}
    for answer in session.scalars(
        select(PortalAnswer)
        .where(PortalAnswer.referral_id == referral_id, PortalAnswer.status != AnswerStatus.SUPERSEDED)
        .order_by(PortalAnswer.id)
    ):
        found[answer.item] = answer
    return found


def payload_of(answer: PortalAnswer) -> dict:
    return json.loads(answer.payload)


def _proposed(session: Session, answer_id: int, referral: Referral) -> PortalAnswer:
    answer = session.get(PortalAnswer, answer_id, with_for_update=True)
    if answer is None or answer.referral_id != referral.id:
        raise NotFound(N_("There is no such answer for this referral."))
    if answer.status != AnswerStatus.PROPOSED:
        raise DomainError(
            N_("This answer has already been {status}."),
            code="invalid_state",
            status=Phrase(AnswerStatus(answer.status).label, lower=True),
        )
    return answer


def _apply_medication(session: Session, actor, referral: Referral, data: dict, zone: str) -> None:
    prereg = preregistration.ensure(session, referral)
    if data["other"]:
        raise DomainError(
            N_("The patient names another medicine ({data}): enter it by hand, then close this answer."),
            code="needs_hand",
            data=data["other"],
        )
    if data["none"] and prereg.medications:
        raise DomainError(
            N_(
                "The patient says they take no blood thinners, but some are recorded: check with the patient, "
                "then close this answer."
            ),
            code="needs_hand",
        )
    have = {(m.drug_code, m.dose_class) for m in prereg.medications}
    doses = medication.dose_classes(session)
    for drug in data["drugs"]:
        if (drug["drug_code"], drug["dose_class"]) in have:
            continue
        if drug["dose_class"] not in doses.get(drug["drug_code"], []):
            raise DomainError(
                N_("The patient did not know the dose of one medicine: ask, enter it by hand, then close this answer."),
                code="needs_hand",
            )
        last = dt.date.fromisoformat(drug["last_dose_on"]) if drug["last_dose_on"] else None
        prereg_items.add_medication(
            session,
            actor,
            referral,
            drug_code=drug["drug_code"],
            dose_class=drug["dose_class"],
            last_dose_on=last,
            zone=zone,
        )
    prereg_items.settle_medication(session, actor, referral, raised_bleeding_risk=prereg.raised_bleeding_risk)


def _apply(session: Session, actor, referral: Referral, item: str, data: dict, zone: str) -> None:
    match item:
        case PortalItem.CONTACT:
            patient = referral.patient
            for key in CONTACT_FIELDS:
                setattr(patient, key, data[key] or None)
            session.flush()
            prereg_items.confirm_contact(session, actor, referral)
        case PortalItem.MEDICATION:
            _apply_medication(session, actor, referral, data, zone)
        case PortalItem.ALLERGIES:
            prereg_items.set_allergies(session, actor, referral, found=set(data["found"]), other=data["other"])
        case PortalItem.CONDITIONS:
            prereg_items.set_conditions(
                session,
                actor,
                referral,
                found=set(data["found"]),
                implant_note=data["implant_note"],
                note=data["note"],
            )
        case PortalItem.ESCORT:
            prereg_items.set_escort(session, actor, referral, name=data["name"], phone=data["phone"])
        case PortalItem.LANGUAGE:
            prereg_items.set_language(session, actor, referral, language=data["language"])


def confirm(session: Session, actor, referral: Referral, answer_id: int, *, zone: str = "UTC") -> PortalAnswer:
    """Take the answer into the checklist (one click at the desk). All of it or nothing. ``zone``: the
    clinic's, for the bounds of a last dose (``prereg_items.check_last_dose``)."""
    answer = _proposed(session, answer_id, referral)
    _apply(session, actor, referral, answer.item, payload_of(answer), zone)
    _decide(session, actor, answer, AnswerStatus.CONFIRMED, None)
    return answer


def close(session: Session, actor, referral: Referral, answer_id: int, note: str) -> PortalAnswer:
    """Set the answer aside without taking it over (entered by hand, or not right), with a note."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput(N_("Say why the answer is closed (e.g. entered by hand after a call)."))
    answer = _proposed(session, answer_id, referral)
    _decide(session, actor, answer, AnswerStatus.CLOSED, note)
    return answer


def _decide(session: Session, actor, answer: PortalAnswer, status: AnswerStatus, note: str | None) -> None:
    answer.status = status
    answer.decided_by_id = audit.actor_of(actor).id
    answer.decided_at = utcnow()
    answer.decision_note = note
    audit.record(
        session,
        f"portal.answer_{status.value}",
        portal_links.OBJECT_TYPE,
        answer.link_id,
        summary={"item": answer.item, "answer": answer.id},
        patient_id=answer.patient_id,
        actor=actor,
    )
    session.flush()
