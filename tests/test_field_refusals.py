"""A service's refusal names the form fields it is about (``DomainError.fields``), one or several; a screen
puts the message under each of them that its form has (``clinic.web.refused_at``), else says it above."""

from __future__ import annotations

from wtforms import StringField

from clinic.core.errors import DomainError, InvalidInput, invalid
from clinic.forms import FlaskForm
from clinic.web import refused_at


class _TwoTimes(FlaskForm):
    class Meta:
        csrf = False

    explained_at = StringField("Talk")
    signed_at = StringField("Signature")


def test_a_refusal_names_one_field_several_or_none():
    assert invalid("Wrong.", "signed_at").fields == ("signed_at",)
    assert invalid("Wrong.", "signed_at").details == {"field": "signed_at"}  # as the API has always said it
    several = invalid("Wrong.", ("explained_at", "signed_at"))
    assert several.fields == ("explained_at", "signed_at") and several.details["field"] == "explained_at"
    assert InvalidInput("Wrong.", details={"field": "reason"}).fields == ("reason",)
    assert invalid("Wrong.").fields == () and DomainError("No.", details=["a list"]).fields == ()


def test_the_screen_shows_a_refusal_under_each_field_it_names(app):
    with app.test_request_context("/", method="POST", data={"explained_at": "x", "signed_at": "y"}):
        form = _TwoTimes()
        assert refused_at(form, invalid("Talk after signature.", ("explained_at", "signed_at", "not_here")))
        assert form.explained_at.errors == ["Talk after signature."] == form.signed_at.errors
        other = _TwoTimes()
        assert not refused_at(other, invalid("About the request.", "reason"))  # no such field: said elsewhere
        assert not other.errors
