"""Patient list and patient page. Search terms travel in the POST body and the session, never in the
URL: a name in a query string ends up in proxy and server logs."""

from flask import current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import roles
from ..core.errors import DomainError, NotFound
from ..core.numbers import whole
from ..core.text import has_control_characters
from ..extensions import db
from ..models import Appointment, ImagingStudy, Referral
from ..models.vocab import Role
from ..services import patients as patient_service
from ..web import refused
from . import bp
from .forms import PatientSearchForm

CLINICAL = (Role.FRONT_DESK, Role.RADIOLOGIST, Role.NURSE)
SEARCH_KEY = "patient_search"


@bp.route("/", methods=["GET", "POST"])
@roles(*CLINICAL)
def index():
    form = PatientSearchForm()
    if request.method == "POST":
        if request.form.get("clear"):  # the "Clear" button: the box's text comes with it
            session[SEARCH_KEY] = ""
            return redirect(url_for("patients.index"))
        if form.validate_on_submit():
            session[SEARCH_KEY] = (form.q.data or "").strip()
            return redirect(url_for("patients.index"))
        return (
            render_template(
                "patients/index.html",
                form=form,
                page=None,
                query=None,
                phone_digits=patient_service.PHONE_SEARCH_DIGITS,
            ),
            422,
        )
    text = session.get(SEARCH_KEY, "")
    if has_control_characters(text):  # remembered before such searches were refused
        text = session[SEARCH_KEY] = ""
    form.q.data = text
    error = None
    try:
        query = patient_service.parse_query(text)
    except DomainError as exc:
        query, error = patient_service.PatientQuery(), refused(exc)
    page = db.paginate(
        patient_service.search_statement(query),
        page=request.args.get("page", 1, type=whole),
        per_page=current_app.config["PATIENTS_PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "patients/index.html",
        form=form,
        page=page,
        query=query,
        text=text,
        error=error,
        phone_digits=patient_service.PHONE_SEARCH_DIGITS,
    )


@bp.get("/<int:patient_id>")
@roles(*CLINICAL)
def show(patient_id: int):
    try:
        patient = patient_service.open_record(db.session, current_user, patient_id)
    except NotFound:
        from flask import abort

        abort(404)
    referrals = db.session.scalars(
        select(Referral).where(Referral.patient_id == patient.id).order_by(Referral.received_on.desc())
    ).all()
    appointments = db.session.scalars(
        select(Appointment).where(Appointment.patient_id == patient.id).order_by(Appointment.table_start.desc())
    ).all()
    studies = db.session.scalars(
        select(ImagingStudy).where(ImagingStudy.patient_id == patient.id).order_by(ImagingStudy.study_date.desc())
    ).all()
    return render_template(
        "patients/show.html", patient=patient, referrals=referrals, appointments=appointments, studies=studies
    )
