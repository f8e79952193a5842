"""Patient, Practitioner (radiologists) and Location (rooms and observation beds)."""

from __future__ import annotations

from ...models import ObservationBed, Patient, Room, User
from .. import codes
from .common import compact


def patient(p: Patient) -> dict:
    telecom = []
    if p.phone:
        telecom.append({"system": "phone", "value": p.phone, "use": "home"})
    if p.email:
        telecom.append({"system": "email", "value": p.email})
    address = None
    if p.street or p.city:
        address = {"line": [p.street] if p.street else [], "postalCode": p.postal_code, "city": p.city}
        address["country"] = p.country
    return compact(
        {
            "resourceType": "Patient",
            "id": str(p.id),
            "identifier": [{"use": "usual", "system": codes.CLINIC_NUMBER, "value": p.clinic_number}],
            "active": True,
            "name": [{"use": "official", "family": p.family_name, "given": [p.given_name]}],
            "telecom": telecom,
            "gender": codes.GENDER.get(p.sex, "unknown"),
            "birthDate": p.birth_date.isoformat(),
            "address": [address] if address else [],
            "communication": [
                {
                    "language": {"coding": [{"system": codes.LANGUAGE, "code": p.preferred_language}]},
                    "preferred": True,
                }
            ],
        }
    )


def practitioner(user: User) -> dict:
    """A radiologist: the name, nothing of the account."""
    return compact(
        {
            "resourceType": "Practitioner",
            "id": str(user.id),
            "active": bool(user.active),
            "name": [{"text": user.full_name}],
        }
    )


def room(r: Room) -> dict:
    description = f"{r.modality} room, {r.unit}" + (f" ({r.location_hint})" if r.location_hint else "")
    return _location(f"room-{r.id}", r.active, r.name, description, code="ro", display="Room")


def bed(b: ObservationBed) -> dict:
    return _location(f"bed-{b.id}", b.active, b.label, f"Observation bed, {b.unit}", code="bd", display="Bed")


def _location(ident: str, active: bool, name: str, description: str, *, code: str, display: str) -> dict:
    """A room or a bed as a Location; code and display name its physical type."""
    return compact(
        {
            "resourceType": "Location",
            "id": ident,
            "status": "active" if active else "inactive",
            "name": name,
            "description": description,
            "mode": "instance",
            "physicalType": {"coding": [{"system": codes.LOCATION_PHYSICAL_TYPE, "code": code, "display": display}]},
        }
    )
