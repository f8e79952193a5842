"""Printed texts: information sheets and consent forms per procedure and language, as versions.

Saving makes a new version; the old ones stay readable (signed consents point at them). The preview
renders the unsaved text to PDF in a new tab, from a text that is never added to the session.
"""

from __future__ import annotations

from flask import abort, make_response, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..auth.access import roles
from ..core.numbers import whole
from ..extensions import db
from ..models import Consent, DocumentText, ProcedureType
from ..models.vocab import DocumentKind, Language, Role
from ..services import texts as text_service
from ..services.documents import text_preview_pdf
from ..web import lands_on
from . import bp
from .common import actor, get_or_404, submit_form, zone
from .text_forms import TextForm


def _slot(procedure_type_id: int, kind: str, language: str) -> ProcedureType:
    if kind not in DocumentKind.values() or language not in Language.values():
        abort(404)
    return get_or_404(ProcedureType, procedure_type_id)


def _pdf(data: bytes, filename: str):
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.get("/texts")
@roles(Role.ADMIN)
def texts():
    procedure_type_id = request.args.get("procedure", type=whole)
    slots = text_service.overview(db.session)
    if procedure_type_id:
        slots = [s for s in slots if s.procedure_type.id == procedure_type_id]
    by_procedure: dict[ProcedureType, dict[tuple[str, str], text_service.TextSlot]] = {}
    for slot in slots:
        by_procedure.setdefault(slot.procedure_type, {})[(slot.kind, slot.language)] = slot
    return render_template(
        "admin/texts.html",
        by_procedure=by_procedure,
        kinds=list(DocumentKind),
        languages=list(Language),
        procedure_type_id=procedure_type_id,
    )


@bp.route("/texts/<int:procedure_type_id>/<kind>/<language>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit_text(procedure_type_id: int, kind: str, language: str):
    procedure = _slot(procedure_type_id, kind, language)
    current = text_service.current(db.session, procedure.id, kind, language)
    form = TextForm()
    if request.method == "GET" and current is not None:
        form.title.data = current.title
        form.body.data = current.body
    return submit_form(
        form,
        lambda: text_service.save_version(
            db.session,
            actor(),
            procedure,
            kind,
            language,
            title=form.title.data,
            body=form.body.data,
            change_note=form.change_note.data,
        ),
        render=lambda status: (
            render_template(
                "admin/text_edit.html",
                form=form,
                procedure=procedure,
                kind=kind,
                language=language,
                current=current,
                versions=text_service.versions(db.session, procedure.id, kind, language),
            ),
            status,
        ),
        message=lambda saved: _(
            "Saved as version %(version)s. It is printed from now on; older versions stay readable.",
            version=saved.version,
        ),
        next_url=lambda _saved: url_for(
            "admin.edit_text", procedure_type_id=procedure.id, kind=kind, language=language
        ),
    )


@bp.post("/texts/<int:procedure_type_id>/<kind>/<language>/preview")
@lands_on("admin.edit_text")
@roles(Role.ADMIN)
def preview_text(procedure_type_id: int, kind: str, language: str):
    procedure = _slot(procedure_type_id, kind, language)
    current = text_service.current(db.session, procedure.id, kind, language)
    version = (current.version + 1) if current else 1
    draft = text_service.draft(
        procedure, kind, language, request.form.get("title", ""), request.form.get("body", ""), version
    )
    if not draft.title or not draft.body.strip():
        abort(422, description=_("Give a title and a text to preview."))
    return _pdf(text_preview_pdf(db.session, draft, zone()), f"{procedure.code}-{kind}-{language}-draft.pdf")


@bp.get("/texts/versions/<int:text_id>")
@roles(Role.ADMIN)
def text_version(text_id: int):
    text = get_or_404(DocumentText, text_id)
    current = text_service.current(db.session, text.procedure_type_id, text.kind, text.language)
    consents = db.session.scalar(select(func.count(Consent.id)).where(Consent.document_text_id == text.id)) or 0
    return render_template("admin/text_version.html", text=text, current=current, consents=consents)


@bp.get("/texts/versions/<int:text_id>/pdf")
@roles(Role.ADMIN)
def text_version_pdf(text_id: int):
    text = get_or_404(DocumentText, text_id)
    return _pdf(text_preview_pdf(db.session, text, zone()), f"{text.version_label}.pdf")
