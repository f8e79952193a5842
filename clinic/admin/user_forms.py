"""Forms for staff accounts."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from ..core.numbers import whole
from ..extensions import db
from ..forms import FlaskForm, MultiCheckboxField, email_address, required_text
from ..models.vocab import Role
from ..services import accounts
from ..services.accounts import MIN_PASSWORD_LENGTH
from ..services.setup_users import AccountFields
from .fields import options

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


class AccountForm(FlaskForm):
    full_name = required_text(_l("Full name"), _l("Give the person's full name."), 120)
    email = StringField(_l("Email"), validators=[Optional(), email_address, Length(max=254)])
    roles = MultiCheckboxField(_l("Roles"), choices=options(Role.choices()))
    qualifications = MultiCheckboxField(_l("Qualified for (radiologists)"), coerce=whole, choices=[])

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError(_("Give the account at least one role."))

    def account_fields(self) -> AccountFields:
        return AccountFields(
            full_name=self.full_name.data,
            email=self.email.data or None,
            roles=set(self.roles.data),
            qualification_ids=set(self.qualifications.data),
        )


class PasswordMixin:
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Give a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l(
                    "The password needs at least %(length)s characters.",
                    length=MIN_PASSWORD_LENGTH,
                ),
            ),
            Length(max=200),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    password_again = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(_l("Type the password a second time.")),
            EqualTo("password", _l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class NewAccountForm(PasswordMixin, AccountForm):
    username = required_text(
        _l("User name"), _l("Give a user name."), 64, render_kw={"autofocus": True, "autocomplete": "off"}
    )

    def validate_username(self, field):
        name = (field.data or "").strip()
        if not set(name) <= USERNAME_CHARS:
            raise ValidationError(_("A user name is letters, digits, dots, dashes and underscores."))
        if accounts.find_user(db.session, name) is not None:
            raise ValidationError(_("The user name “%(name)s” is taken.", name=name))


class PasswordResetForm(PasswordMixin, FlaskForm):
    pass


class TokenForm(FlaskForm):
    name = required_text(
        _l("What the token is for"), _l("Say what the token is for, e.g. the system that uses it."), 80
    )
