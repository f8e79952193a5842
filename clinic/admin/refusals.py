"""The refusals of the setup services, as the admin screens say them.

The services know no Flask and raise their messages in English. The screens look each message up in the
catalogue (``refusal``); the messages below are the ones no form already says, listed here so that the
extraction finds them and the German catalogue has them. A message missing here shows in English."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..i18n import refusal  # noqa: F401 (the admin views import it from here)

SERVICE_MESSAGES = (
    # setup_catalogue
    _l("Choose the guidance: CT or MRI."),
    _l("Choose the bleeding class: low, intermediate or high."),
    _l("Choose the cervical bleeding class, or leave it as for other regions."),
    _l("Only radiologists can be qualified for a procedure."),
    _l("A procedure cannot require itself at the same stage."),
    _l("This rule does not belong to this procedure."),
    _l("Choose a stage from the list."),
    # setup_resources
    _l("Choose CT or MRI."),
    _l("Name the unit the room belongs to (closures of a unit close all its rooms)."),
    _l("Give both a start and an end time, or neither (the whole day)."),
    _l("Past exceptions are kept for the record."),
    _l("Closures that are over are kept for the record."),
    # setup_users
    _l("Unknown procedure among the qualifications."),
    _l("You cannot deactivate your own account."),
    _l("This is the last active admin; it cannot be deactivated."),
    _l("A deactivated account cannot get API tokens."),
    _l("This account has no such token."),
    _l("You cannot take away your own admin role; ask another admin."),
    _l("This is the last active admin; give another account the admin role first."),
    # hold_rules
    _l("A drug code is 2 to 40 small letters, digits or underscores, e.g. rivaroxaban."),
    _l("Give the drug's name in English and German."),
    _l("There is already a row for this drug, dose class and bleeding class; edit it."),
    _l("The name is at most 120 characters."),
    _l("This row is not marked as verified."),
)
