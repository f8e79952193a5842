"""Prior imaging from the PACS, from the referral page: search the PACS, choose studies, retrieve them.

The search asks the PACS while the page waits (bounded by PACS_TIMEOUT_SECONDS); the retrieval is a
job of the DICOM process, whose progress the referral page shows and refreshes while it runs.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from wtforms import DateField, StringField
from wtforms.validators import Length, Optional

from ..auth.access import roles
from ..core import audit
from ..core.errors import DomainError
from ..dicom import pacs as pacs_client
from ..dicom.config import DicomConfig
from ..extensions import db
from ..forms import FlaskForm, birth_day
from ..i18n import refusal
from ..models import Patient, Referral
from ..models.vocab import Role
from ..services import pacs_retrievals
from ..web import get_or_404, lands_on, refused, shows_page_after_post
from . import bp

STAFF = (Role.FRONT_DESK, Role.RADIOLOGIST)


class PacsSearchForm(FlaskForm):
    patient_id = StringField(_l("Patient ID in the PACS"), validators=[Optional(), Length(max=64)])
    family_name = StringField(_l("Family name"), validators=[Optional(), Length(max=60)])
    given_name = StringField(_l("Given name"), validators=[Optional(), Length(max=60)])
    birth_date = DateField(_l("Date of birth"), validators=[Optional(), birth_day])

    @classmethod
    def for_patient(cls, patient: Patient) -> PacsSearchForm:
        return cls(
            prefix="pacs",
            formdata=None,
            family_name=patient.family_name,
            given_name=patient.given_name,
            birth_date=patient.birth_date,
        )

    def search(self) -> pacs_retrievals.StudySearch:
        return pacs_retrievals.StudySearch(
            patient_id=(self.patient_id.data or "").strip(),
            family_name=(self.family_name.data or "").strip(),
            given_name=(self.given_name.data or "").strip(),
            birth_date=self.birth_date.data,
        )


def _config() -> DicomConfig:
    return DicomConfig.from_app(current_app.config)


def pacs_context(referral: Referral) -> dict:
    """What the referral page's PACS section shows: the search form, the retrievals and their progress."""
    retrievals = pacs_retrievals.for_patient(db.session, referral.patient_id)
    return {
        "pacs_form": PacsSearchForm.for_patient(referral.patient),
        "pacs_configured": _config().pacs_configured,
        "retrievals": retrievals,
        "retrieving": any(r.active for r in retrievals),
    }


def _results(referral: Referral, form: PacsSearchForm, studies=None, error: str | None = None, status: int = 200):
    return render_template(
        "frontdesk/pacs_results.html",
        referral=referral,
        patient=referral.patient,
        form=form,
        studies=studies,
        error=error,
        pacs_label=_config().pacs_label,
    ), status


@bp.post("/referrals/<int:referral_id>/pacs/search")
@lands_on("frontdesk.referral", anchor="pacs")
@roles(*STAFF)
@shows_page_after_post(
    "a search of the hospital PACS: it changes nothing, and the patient's details stay out of the URL"
)
def pacs_search(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    form = PacsSearchForm(prefix="pacs")
    if not form.validate():
        return _results(referral, form, status=422)
    search = form.search()
    try:
        search.validate()
    except DomainError as error:
        return _results(referral, form, error=refused(error), status=error.http_status)
    audit.record(
        db.session, "pacs.search", "referrals", referral.id, patient_id=referral.patient_id, actor=current_user
    )
    try:
        found = pacs_client.find_studies(_config(), search)
    except pacs_client.PacsError as error:
        return _results(referral, form, error=refusal(error), status=503)
    studies = [pacs_retrievals.check_found(db.session, study, referral.patient) for study in found]
    return _results(referral, form, studies)


@bp.post("/referrals/<int:referral_id>/pacs/retrieve")
@lands_on("frontdesk.referral", anchor="pacs")
@roles(*STAFF)
def pacs_retrieve(referral_id: int):
    referral = get_or_404(Referral, referral_id)
    chosen = []
    for index in request.form.getlist("study"):
        if not index.isdigit():
            continue
        uid = (request.form.get(f"uid-{index}") or "").strip()
        shown = {
            "study_date": _date(request.form.get(f"date-{index}")),
            "modality": request.form.get(f"modality-{index}", ""),
            "description": request.form.get(f"description-{index}", ""),
        }
        chosen.append((uid, shown))
    try:
        queued = pacs_retrievals.request(db.session, current_user, referral, chosen)
    except DomainError as error:
        flash(refused(error), "danger")
        return redirect(url_for("frontdesk.referral", referral_id=referral.id, _anchor="pacs"))
    if queued:
        flash(
            ngettext(
                "%(num)d study queued for retrieval from the PACS; the progress is shown below.",
                "%(num)d studies queued for retrieval from the PACS; the progress is shown below.",
                len(queued),
            ),
            "success",
        )
    else:
        flash(_("These studies are already here or on their way."), "info")
    return redirect(url_for("frontdesk.referral", referral_id=referral.id, _anchor="pacs"))


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()) if text else None
    except ValueError:
        return None


@bp.get("/referrals/<int:referral_id>/pacs/retrievals")
@roles(*STAFF)
def pacs_retrievals_part(referral_id: int):
    """The retrievals alone, for the referral page's refresh while one runs."""
    referral = get_or_404(Referral, referral_id)
    return render_template("frontdesk/_pacs_retrievals.html", referral=referral, **pacs_context(referral))
