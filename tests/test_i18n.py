"""Screens in the user's language: German or English per user, the login page by the browser's
Accept-Language, the clinic's default from CLINIC_LOCALE, the API always English; and a German
catalogue that has every string the code marks for translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlalchemy import select

from clinic.config import PROJECT_ROOT
from clinic.models import User
from tests.factories import build_clinic, make_user

CATALOGUE = PROJECT_ROOT / "clinic" / "translations" / "de" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {
    "_": None,
    "N_": None,
    "Counted": (1, 2),
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
}


def _marked_strings() -> set[str]:
    found: set[str] = set()
    for folder, method in ((PROJECT_ROOT / "clinic", "python"), (PROJECT_ROOT / "templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _file, _line, message, _comments, _context in extract_from_dir(
            folder, method_map=[(pattern, method)], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_marked_string_has_a_german_translation():
    with Path(CATALOGUE).open("rb") as fh:
        catalogue = read_po(fh)
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalogue if m.id}
    marked = _marked_strings()
    assert marked, "nothing is marked for translation"
    missing = sorted(s for s in marked if s not in translated)
    assert not missing, f"not in the German catalogue (run make i18n-update and translate): {missing[:20]}"
    untranslated = sorted(
        m.id if isinstance(m.id, str) else m.id[0]
        for m in translated.values()
        if m.fuzzy or not (m.string if isinstance(m.string, str) else all(m.string))
    )
    assert not untranslated, f"empty or fuzzy German entries: {untranslated[:20]}"


def test_the_login_page_follows_the_browser(session, client):
    build_clinic(session)
    german = client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert '<html lang="de">' in german.get_data(as_text=True) and german.headers["Content-Language"] == "de"
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in english.get_data(as_text=True) and english.headers["Content-Language"] == "en"
    neither = client.get("/login", headers={"Accept-Language": "fr-FR"})
    assert neither.headers["Content-Language"] == "de"  # the clinic's CLINIC_LOCALE, de_DE


def test_each_user_chooses_the_language_of_their_screens(session, browser):
    build_clinic(session)
    make_user(session, "desk2", {"front_desk"}, language=None)  # follows the clinic's language
    session.commit()
    browser.login("desk2")
    page = browser.get("/profile", headers={"Accept-Language": "en"})
    assert "Ihre Einstellungen" in page.get_data(as_text=True)  # the clinic's German, not the browser's

    saved = browser.post("/profile", {"language": "en"})
    assert saved.status_code == 302
    page = browser.get("/profile", headers={"Accept-Language": "de"})
    assert "Your settings" in page.get_data(as_text=True) and page.headers["Content-Language"] == "en"
    user = session.scalar(select(User).where(User.username == "desk2"))
    session.refresh(user)
    assert user.language == "en"

    refused = browser.post("/profile", {"language": "fr"})
    assert refused.status_code == 422
    session.refresh(user)
    assert user.language == "en"


def test_the_api_speaks_english_and_says_so(session, client):
    build_clinic(session)
    answer = client.get("/api/v1/procedure-types", headers={"Accept-Language": "de"})
    assert answer.status_code == 401 and answer.headers["Content-Language"] == "en"


def test_a_service_refusal_is_shown_in_the_screen_language_with_its_values(app):
    """Services mark a sentence with N_ and hand its values over; the screen translates, then fills in."""
    from flask_babel import force_locale

    from clinic.core.errors import DomainError
    from clinic.core.messages import N_
    from clinic.i18n import refusal

    error = DomainError(
        N_(
            "The medication hold plan allows this procedure from {when} on: the last dose cannot keep the "
            "hold before an earlier time. Choose a later time, or correct the recorded last dose if it was wrong."
        ),
        when="30.11.2026 08:00",
        code="medication_hold",
    )
    assert error.message.startswith("The medication hold plan allows this procedure from 30.11.2026 08:00 on")
    with app.test_request_context("/"):
        with force_locale("de"):
            assert refusal(error).startswith(
                "Der Plan zum Pausieren der Medikamente erlaubt diesen Eingriff erst ab 30.11.2026 08:00:"
            )
        with force_locale("en"):
            assert refusal(error) == error.message
        untranslated = DomainError(N_("Nothing like this is in the catalogue {x}."), x="1")
        with force_locale("de"):
            assert refusal(untranslated) == "Nothing like this is in the catalogue 1."


def test_a_list_of_reasons_is_translated_piece_by_piece(app):
    """A service hands over a list of marked phrases (``Phrases``): English as a str for the API, each
    piece translated on a screen, in Python (``say``) and in a template (``_()`` on the value)."""
    from flask import render_template_string
    from flask_babel import force_locale

    from clinic.core.errors import InvalidInput
    from clinic.core.messages import N_, Phrase, Phrases
    from clinic.i18n import refusal, say

    problems = Phrases([N_("unknown side"), Phrase(N_("{procedure} needs a side"), procedure="PRT")])
    error = InvalidInput(N_("The procedure plan is incomplete: {problems}."), problems=problems)
    assert error.message == "The procedure plan is incomplete: unknown side; PRT needs a side."
    late = Phrase(N_("Late: not checked in (procedure due at {time})"), time="<08:30>")
    with app.test_request_context("/"):
        with force_locale("de"):
            assert refusal(error) == "Der Eingriffsplan ist unvollständig: unbekannte Seite; PRT braucht eine Seite."
            assert say(late) == "Verspätet: nicht angemeldet (Eingriff fällig um <08:30>)"
            shown = render_template_string("{{ _(late) }} / {{ _(plain) }}", late=late, plain=N_("Prior imaging"))
            assert (
                shown == "Verspätet: nicht angemeldet (Eingriff fällig um &lt;08:30&gt;) / Vorbefunde und Voraufnahmen"
            )
        with force_locale("en"):
            assert refusal(error) == error.message


def _labelled_enums():
    from importlib import import_module

    from clinic.models.vocab import Labelled

    for module in ("clinic.models", "clinic.services.portal_settings"):  # every module with its enums
        import_module(module)

    found, todo = [], list(Labelled.__subclasses__())
    while todo:
        enum = todo.pop()
        found.append(enum)
        todo.extend(enum.__subclasses__())
    return found


def test_every_label_of_the_vocabulary_is_marked_for_translation():
    """Statuses, roles, regions…: their English labels are marked (N_) so that screens can translate them;
    the same in every language: file kinds (MRI is MRT in German). Languages too are named in the reader's
    language (walk finding: "English" on a German screen); the patient chooses theirs by its own name."""
    same_everywhere = {"FileKind"}
    marked = _marked_strings()
    unmarked = [
        f"{enum.__name__}.{member.name}: {member.label!r}"
        for enum in _labelled_enums()
        if enum.__name__ not in same_everywhere
        for member in enum
        if member.label not in marked
    ]
    assert not unmarked, unmarked


def test_labels_and_the_menu_are_shown_in_the_users_language(app, session, browser):
    from flask_babel import force_locale

    from clinic.templating import label, treatments

    with app.test_request_context("/"):
        with force_locale("de"):
            assert label("checked_in", "AppointmentStatus") == "Angemeldet"
            assert label("info_requested", "ReferralStatus") == "Rückfrage gestellt"
            assert treatments(["physiotherapy", "acupuncture"]) == "Physiotherapie, acupuncture"
        with force_locale("en"):
            assert label("checked_in", "AppointmentStatus") == "Checked in"
    build_clinic(session)
    make_user(session, "desk_de", {"front_desk"}, language="de")
    session.commit()
    browser.login("desk_de")
    page = browser.get("/patients/").get_data(as_text=True)
    assert "Überweisungen" in page and "Kalender" in page and ">Referrals<" not in page


# What the scan of unmarked text leaves out: machine-facing code and pages (the JSON API and its docs, FHIR,
# DICOM, the command line's output). Patient documents (clinic/documents) carry their own German and English
# texts, chosen by the patient's language; the scan finds nothing there to mark (no flash, form or refusal),
# so they stay in the scan. The patient's link (templates/portal) is a screen in the patient's language.
NOT_SCREENS = ("clinic/api/", "clinic/fhir/", "clinic/dicom/", "clinic/cli.py", "clinic/jobs/cli.py", "templates/api/")


def _error_names() -> set[str]:
    from importlib import import_module

    from clinic.core.errors import DomainError

    # The refusals defined next to their services.
    for module in (
        "clinic.scheduling.booking",
        "clinic.services.idempotency",
        "clinic.services.intake",
        "clinic.services.mpps",
    ):
        import_module(module)

    names, todo = set(), [DomainError]
    while todo:
        error = todo.pop()
        names.add(error.__name__)
        todo.extend(error.__subclasses__())
    return names | {"invalid", "LoginRefused"}  # the services' helper for a field's refusal; the login's


def test_every_string_staff_read_is_marked_for_translation():
    """Issue 17: a template or a Python module that shows staff (or a patient, on the link's screens) text
    not marked for translation fails here, listed by file and line (tests/i18n_check/scan.py says what
    counts as text: words between tags, readable attributes, flash messages, form labels, validator
    messages and refusals)."""
    from collections import Counter

    from tests.i18n_check.scan import python_findings, template_findings

    findings = [
        f
        for f in (
            *template_findings(PROJECT_ROOT / "templates", PROJECT_ROOT),
            *python_findings(PROJECT_ROOT / "clinic", PROJECT_ROOT, error_names=_error_names()),
        )
        if not f.path.startswith(NOT_SCREENS)
    ]
    per_folder = Counter(str(Path(f.path).parent) for f in findings)
    summary = ", ".join(f"{folder}: {n}" for folder, n in sorted(per_folder.items()))
    listing = "\n".join(str(f) for f in findings)
    assert not findings, f"{len(findings)} strings not marked for translation ({summary}):\n{listing}"


def test_the_scan_finds_words_handed_over_plain(tmp_path):
    """A refusal's value given as plain English (the medication hold's ``unmet or "no decision"``) and a
    template's printed fallback (``{{ decision or 'no decision' }}``) showed English on German screens and
    passed the scan: it looked at a refusal's sentence only, and took two lowercase words for code."""
    from tests.i18n_check.scan import python_findings, template_findings

    (tmp_path / "clinic").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "clinic" / "holds.py").write_text(
        'raise DomainError(N_("Not met ({unmet})."), unmet=names or "no decision", code="medication_hold")\n'
        'raise DomainError(N_("Not met ({unmet})."), unmet=names or Phrase(N_("no decision")))\n'
    )
    (tmp_path / "templates" / "triage.html").write_text(
        "<td>{{ row.decision or 'no decision' }}</td>\n"
        "<td class=\"{{ 'text-muted small' if row.old }}\">{{ row.decision or _('no decision') }}</td>\n"
    )
    found = [
        *python_findings(tmp_path / "clinic", tmp_path, error_names={"DomainError"}),
        *template_findings(tmp_path / "templates", tmp_path),
    ]
    assert [(f.path, f.line, f.text) for f in found] == [
        ("clinic/holds.py", 1, "names or 'no decision'"),
        ("templates/triage.html", 1, "no decision"),
    ]


def test_no_decision_is_said_in_german(app):
    from flask_babel import force_locale

    from clinic.core.errors import DomainError
    from clinic.core.messages import N_, Phrase
    from clinic.i18n import refusal

    error = DomainError(
        N_(
            "The procedure cannot start: the medication hold is not met ({unmet}): record the last dose, or a "
            "radiologist overrides the hold with a reason."
        ),
        unmet=Phrase(N_("no decision")),  # as procedure_day.medication_problem hands it over
    )
    with app.test_request_context("/"), force_locale("de"):
        assert "(keine Entscheidung)" in refusal(error) and "no decision" not in refusal(error)


def test_a_phrase_in_the_middle_of_a_sentence_keeps_german_nouns(app):
    from flask_babel import force_locale

    from clinic.core.errors import DomainError
    from clinic.core.messages import N_, Phrase
    from clinic.i18n import refusal

    error = DomainError(
        N_("A referral that is {status} cannot be accepted."), status=Phrase(N_("Info requested"), lower=True)
    )
    assert error.message == "A referral that is info requested cannot be accepted."
    with app.test_request_context("/"):
        with force_locale("de"):
            assert refusal(error) == "Eine Überweisung im Status „Rückfrage gestellt“ kann nicht angenommen werden."
        with force_locale("en"):
            assert refusal(error) == error.message


def test_a_refusal_names_the_procedure_in_the_screen_language_without_its_code(app, session):
    """Staff read a procedure's name in a refusal, not the catalogue's code, and without the
    explanation in brackets: "Periradikuläre Therapie braucht eine Seite"."""
    from flask_babel import force_locale

    from clinic.core.messages import N_, Phrase
    from clinic.defaults import seed_catalogue
    from clinic.i18n import say
    from clinic.models.catalogue import short_name

    prt = seed_catalogue(session)["PRT"]
    problem = Phrase(N_("{procedure} needs a side"), procedure=prt.named)
    assert str(problem) == "Periradicular therapy needs a side"  # the API's and the log's English
    with app.test_request_context("/"), force_locale("de"):
        assert say(problem) == "Periradikuläre Therapie braucht eine Seite"
    rfa = "Radiofrequenz-Denervation (Thermokoagulation) der Facettengelenke"
    assert short_name(rfa) == "Radiofrequenz-Denervation"
    assert short_name("Epidural steroid injection (ESI), interlaminar or caudal") == "Epidural steroid injection"
    assert short_name("(unnamed)") == "(unnamed)"


def test_a_count_of_files_reads_singular_or_plural(app):
    """Walk 25: the checklist said "1 Datei(en) hochgeladen"; the words follow the count (ngettext)."""
    from flask_babel import force_locale

    from clinic.i18n import say
    from clinic.models.vocab import IdentityCheck
    from clinic.services.preregistration import imaging_state

    one, two = [IdentityCheck.MATCH], [IdentityCheck.MATCH, IdentityCheck.CANNOT_VERIFY]
    with app.test_request_context():
        with force_locale("de"):
            assert say(imaging_state(one, False).detail) == "1 Datei hochgeladen"
            assert say(imaging_state(two, False).detail) == "2 Dateien hochgeladen"
            assert say(imaging_state([IdentityCheck.MISMATCH], False).detail).startswith("1 Datei nennt einen ")
        with force_locale("en"):
            assert say(imaging_state(one, False).detail) == "1 file uploaded"
            assert say(imaging_state(two, False).detail) == "2 files uploaded"
    assert imaging_state(two, False).detail == "2 files uploaded"  # the English, for the API and logs
