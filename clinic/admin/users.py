"""Staff accounts: list, create, roles and qualifications, password reset, (de)activation, API tokens."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.access import roles
from ..core.errors import DomainError
from ..extensions import db
from ..models import ProcedureType, User, UserRole
from ..models.vocab import Role
from ..services import accounts, setup_users
from ..web import lands_on, one_click, shows_page_after_post
from . import bp
from .common import (
    INVALID,
    actor,
    containing,
    form_page,
    get_or_404,
    in_state,
    one_click_change,
    save_form,
    show_error,
    submit_form,
)
from .display import procedure_name
from .user_forms import AccountForm, NewAccountForm, PasswordResetForm, TokenForm


def _qualification_choices(user: User | None = None) -> list[tuple[int, str]]:
    held = {p.id for p in user.qualifications} if user else set()
    rows = db.session.scalars(select(ProcedureType).order_by(ProcedureType.sort_order, ProcedureType.code))
    return [(p.id, _qualification_label(p)) for p in rows if p.active or p.id in held]


def _qualification_label(procedure: ProcedureType) -> str:
    label = f"{procedure.code}: {procedure_name(procedure)}"
    return label if procedure.active else _("%(name)s (switched off)", name=label)


@bp.get("/users")
@roles(Role.ADMIN)
def users():
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    show = request.args.get("show", "active")
    stmt = select(User).order_by(User.full_name, User.username)
    stmt = in_state(stmt, show, User.active)
    if role in Role.values():
        stmt = stmt.join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == role))
    if q:
        stmt = stmt.where(containing(q, User.username, User.full_name))
    return render_template(
        "admin/users.html", users=db.session.scalars(stmt).all(), q=q, role=role, show=show, roles=Role
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def new_user():
    form = NewAccountForm()
    form.qualifications.choices = _qualification_choices()
    return submit_form(
        form,
        lambda: setup_users.create_account(
            db.session, actor(), form.username.data.strip(), form.password.data, form.account_fields()
        ),
        render=form_page("admin/user_new.html", form),
        message=lambda user: _(
            "Account %(username)s created. Tell %(full_name)s the initial password in person.",
            username=user.username,
            full_name=user.full_name,
        ),
        next_url=lambda user: url_for("admin.user", user_id=user.id),
    )


def _render_user(
    user: User, *, form=None, password_form=None, token_form=None, stranded=None, new_token=None, status=200
):
    if form is None:
        form = AccountForm(formdata=None, obj=user)
        form.roles.data = sorted(user.roles)
        form.qualifications.data = [p.id for p in user.qualifications]
    form.qualifications.choices = _qualification_choices(user)
    form.full_name.render_kw = {"autofocus": True}
    return (
        render_template(
            "admin/user.html",
            user=user,
            form=form,
            password_form=password_form or PasswordResetForm(formdata=None),
            token_form=token_form or TokenForm(formdata=None),
            tokens=accounts.user_tokens(db.session, user),
            stranded=stranded,
            new_token=new_token,
        ),
        status,
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def user(user_id: int):
    user = get_or_404(User, user_id)
    if request.method == "GET":
        return _render_user(user)
    form = AccountForm()
    form.qualifications.choices = _qualification_choices(user)
    return save_form(
        form,
        lambda: setup_users.update_account(db.session, actor(), user, form.account_fields()),
        render=lambda **kw: _render_user(user, form=form, **kw),
        message=lambda: _("Account %(username)s saved.", username=user.username),
        next_url=lambda: url_for("admin.user", user_id=user.id),
    )


@bp.post("/users/<int:user_id>/password")
@lands_on("admin.user", anchor="password")
@roles(Role.ADMIN)
def reset_password(user_id: int):
    user = get_or_404(User, user_id)
    form = PasswordResetForm()

    def message(revoked: int) -> str:
        text = _(
            "New password set for %(username)s. Every open session of the account has ended.", username=user.username
        )
        if revoked:
            text += " " + _("Its %(num)d API token(s) were revoked: issue new ones where needed.", num=revoked)
        return text

    return submit_form(
        form,
        lambda: setup_users.reset_password(db.session, actor(), user, form.password.data),
        render=lambda status: _render_user(user, password_form=form, status=status),
        message=message,
        next_url=lambda _revoked: url_for("admin.user", user_id=user.id),
    )


@bp.post("/users/<int:user_id>/deactivate")
@lands_on("admin.user")
@roles(Role.ADMIN)
def deactivate_user(user_id: int):
    user = get_or_404(User, user_id)
    back_url = url_for("admin.user", user_id=user.id)
    return one_click_change(
        lambda: setup_users.deactivate_account(db.session, actor(), user),
        back_url=back_url,
        message=_("%(username)s deactivated: logged out everywhere, API tokens revoked.", username=user.username),
        next_url=back_url,
        title=_("Deactivate %(full_name)s?", full_name=user.full_name),
        question=_("%(full_name)s will no longer be able to log in or be booked.", full_name=user.full_name),
        button=_("Deactivate anyway"),
    )


@bp.post("/users/<int:user_id>/reactivate")
@lands_on("admin.user")
@roles(Role.ADMIN)
def reactivate_user(user_id: int):
    user = get_or_404(User, user_id)
    setup_users.reactivate_account(db.session, actor(), user)
    flash(
        _("%(username)s can log in again. API tokens stay revoked; issue new ones if needed.", username=user.username),
        "success",
    )
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/tokens")
@lands_on("admin.user", anchor="tokens")
@roles(Role.ADMIN)
@shows_page_after_post("the new token is shown once, in this answer only")
def issue_token(user_id: int):
    user = get_or_404(User, user_id)
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token = setup_users.issue_api_token(db.session, actor(), user, form.name.data)
        except DomainError as error:
            show_error(form, error)
        else:
            # Shown once, in this response only: it is neither stored nor put into the session cookie.
            return _render_user(user, new_token=token)
    return _render_user(user, token_form=form, status=INVALID)


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@lands_on("admin.user", anchor="tokens")
@roles(Role.ADMIN)
def revoke_token(user_id: int, token_id: int):
    user = get_or_404(User, user_id)
    return one_click(
        lambda: setup_users.revoke_api_token(db.session, actor(), user, token_id),
        done=_("Token revoked."),
        back=url_for("admin.user", user_id=user.id) + "#tokens",
    )
