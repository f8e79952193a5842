"""The questionnaire through the link, one item per page, and prior imaging. Answers go to the desk."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..auth.access import public
from ..core.errors import DomainError, TooLarge
from ..extensions import db
from ..frontdesk.upload_requests import limits, read_files, store
from ..models.portal import PortalItem
from ..models.vocab import ALLERGENS
from ..services import medication, portal_answers, portal_links, uploads
from ..services.portal_settings import PortalStep
from ..web import refused, zone
from . import access, bp, render
from .forms import (
    AllergiesForm,
    ConditionsForm,
    ContactForm,
    EmptyForm,
    EscortForm,
    LanguageForm,
    MedicationForm,
    allergy_choices,
    condition_choices,
    dose_labels,
)

FORMS = {
    PortalItem.CONTACT: ContactForm,
    PortalItem.MEDICATION: MedicationForm,
    PortalItem.ALLERGIES: AllergiesForm,
    PortalItem.CONDITIONS: ConditionsForm,
    PortalItem.ESCORT: EscortForm,
    PortalItem.LANGUAGE: LanguageForm,
}


def _starting_values(link, item: str) -> dict:
    """What the form shows first: the patient's last answer, else what the clinic has on record."""
    answer = portal_answers.latest(db.session, link.referral_id).get(item)
    if answer is not None:
        return portal_answers.payload_of(answer)
    patient, prereg = link.patient, link.referral.preregistration
    match item:
        case PortalItem.CONTACT:
            return {key: getattr(patient, key) or "" for key in portal_answers.CONTACT_FIELDS}
        case PortalItem.LANGUAGE:
            return {"language": patient.preferred_language}
        case PortalItem.ESCORT if prereg is not None:
            return {"name": prereg.escort_name or "", "phone": prereg.escort_phone or ""}
    return {}


def _drug_choices(language: str) -> dict[str, str]:
    """One choice per medicine and dose the hold rules tell apart ("code|dose class"): a medicine whose
    rules hold for every dose is offered once, others once per dose they know and once for "I do not
    know the dose". So no dose the rules cannot use is offered (issue 21, item 9)."""
    names = medication.drug_names(db.session)
    labels = dose_labels()
    choices = []
    for code, doses in medication.dose_classes(db.session).items():
        en, de = names.get(code, (code, code))
        name = de if language == "de" else en
        if doses == [""]:
            choices.append((f"{code}|", name))
            continue
        choices += [(f"{code}|{d}", f"{name}: {labels.get(d, d)}") for d in doses if d]
        choices.append((f"{code}|", f"{name}: {labels['']}"))
    return dict(sorted(choices, key=lambda choice: choice[1].casefold()))


def _form(link, item: str):
    form_class = FORMS[PortalItem(item)]
    data = None if request.method == "POST" else _starting_values(link, item)
    if item == PortalItem.MEDICATION:
        form = form_class(data={"none": (data or {}).get("none", False), "other": (data or {}).get("other", "")})
        language = link.patient.preferred_language
        drugs = {"": _("— choose a medicine —"), **_drug_choices(language)}
        for n, row in enumerate(form.drugs):
            row.form.drug_code.choices = drugs
            if data and n < len(data.get("drugs", [])):
                given = data["drugs"][n]
                row.form.drug_code.data = f"{given['drug_code']}|{given['dose_class']}"
        return form
    form = form_class(data=data) if data is not None else form_class()
    if item == PortalItem.ALLERGIES:
        form.found.choices = allergy_choices()
    elif item == PortalItem.CONDITIONS:
        form.found.choices = condition_choices()
    return form


def _answer_of(item: str, form) -> dict:
    if item == PortalItem.MEDICATION:
        drugs = [
            {
                "drug_code": row.form.drug_code.data.partition("|")[0],
                "dose_class": row.form.drug_code.data.partition("|")[2],
                "last_dose_on": row.form.last_dose_on.data.isoformat() if row.form.last_dose_on.data else None,
            }
            for row in form.drugs
            if row.form.drug_code.data
        ]
        return {"none": form.none.data, "drugs": drugs, "other": form.other.data}
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


@bp.route("/<token>/answers/<item>", methods=["GET", "POST"])
@public
@access.verified("questionnaire", PortalStep.QUESTIONNAIRE)
def answer(link, token: str, item: str):
    if item not in PortalItem.values():
        abort(404)
    form = _form(link, item)
    context = {"item": item, "allergens": ALLERGENS}
    if request.method == "GET":
        return render("portal/answer.html", form=form, **context)
    if not form.validate():
        return render("portal/answer.html", 422, form=form, **context)
    try:
        portal_answers.propose(db.session, link, item, _answer_of(item, form), zone=zone())
    except DomainError as error:
        refused(error)
        said = access.message(error.code)
        field = error.details.get("field") if isinstance(error.details, dict) else None
        if field in form:  # beside the field it is about, too (the implant's name)
            form[field].errors = [*form[field].errors, said]
        elif field and item == PortalItem.MEDICATION and "row" in error.details:  # a medicine's last dose
            rows = [row for row in form.drugs if row.form.drug_code.data]
            target = rows[error.details["row"]].form[field]
            target.errors = [*target.errors, said]
        flash(said, "danger")
        return render("portal/answer.html", 422, form=form, **context)
    flash(_("Thank you. The front desk will check your answer."), "success")
    return redirect(url_for("portal.home", token=token, _anchor="questions"))


@bp.route("/<token>/imaging", methods=["GET", "POST"])
@public
@access.verified("imaging", PortalStep.UPLOADS)
def imaging(link, token: str):
    form = EmptyForm()
    if request.method == "GET":
        return render("portal/imaging.html", form=form)
    if not form.validate():
        return render("portal/imaging.html", 400, form=form)
    files = read_files(request.files.getlist("files"))
    if not files:
        flash(_("Please choose one or more files."), "danger")
        return render("portal/imaging.html", 400, form=form)
    actor = portal_links.patient_actor(link.patient)
    try:
        study = uploads.create_study(
            db.session, actor, patient=link.patient, referral=link.referral, modality=None, facility=None
        )
        added = uploads.add_files(db.session, actor, store(), limits(), study=study, files=files)
    except TooLarge as error:
        flash(_("The files are too large to send here. Please bring them on a CD or USB stick."), "danger")
        return render("portal/imaging.html", error.http_status, form=form)
    except DomainError as error:
        refused(error)
        flash(
            _("These files could not be taken. We accept PDF, JPEG, PNG, DICOM images, or a ZIP of an image CD."),
            "danger",
        )
        return render("portal/imaging.html", error.http_status, form=form)
    portal_links.record(
        db.session,
        link,
        "uploaded",
        {"study": study.id, "files": len(added), "identity_mismatch": len(added.identity_mismatches)},
    )
    if added.identity_mismatches:
        flash(
            _("Some images name another person or another date of birth. The front desk will look at them."),
            "warning",
        )
    flash(ngettext("Thank you: %(num)d file received.", "Thank you: %(num)d files received.", len(added)), "success")
    return redirect(url_for("portal.home", token=token, _anchor="imaging"))
