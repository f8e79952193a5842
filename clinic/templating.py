"""Jinja filters and globals: local dates and times, labels, navigation per role."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask, current_app, request, url_for
from flask_babel import format_decimal, format_percent, get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from .auth.access import access_rule, allows
from .core import timefmt
from .core.messages import N_
from .forms import correct_marked, marked_fields
from .i18n import catalogue, gettext, say, screen_language
from .models import vocab
from .services.uploads.identity import note_phrases


def _zone() -> str:
    return current_app.config["CLINIC_TIMEZONE"]


def _locale() -> str:
    """Dates and times on screens are in the clinic's format (21.11.2026 08:30), whatever the language
    of the words around them."""
    return current_app.config["CLINIC_LOCALE"]


def local_datetime(value: dt.datetime | None) -> str:
    return timefmt.fmt_datetime(value, _zone(), _locale())


def local_date(value: dt.date | dt.datetime | None) -> str:
    return timefmt.fmt_date(value, _locale(), _zone())


def local_day(value: dt.datetime | None) -> dt.date | None:
    """The clinic's calendar day of an instant, to compare with ``today``."""
    return timefmt.to_local(value, _zone()).date() if value is not None else None


def local_time(value: dt.datetime | None) -> str:
    return timefmt.fmt_time(value, _zone(), _locale())


def treatments(codes) -> str:
    """The treatments a referral lists, by their labels ("nsaids" → "Anti-inflammatory painkillers"), in the
    screen's language."""
    return ", ".join(
        gettext(vocab.TREATMENTS[code]) if code in vocab.TREATMENTS else code.replace("_", " ") for code in codes
    )


def study_age(study_date: dt.date | None) -> tuple[int, bool, int] | None:
    """(whole years since the study, older than the clinic's limit?, the limit) by the clinic's today;
    None without a date."""
    from .extensions import db
    from .services import settings as clinic_settings
    from .web import local_today

    if study_date is None:
        return None
    today = local_today()
    years = today.year - study_date.year - ((today.month, today.day) < (study_date.month, study_date.day))
    limit = clinic_settings.get_int(db.session, "imaging_old_after_years")
    return years, years >= limit, limit


_UTC_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\+00:00|Z)")


def local_instants(text: str | None) -> str:
    """Text (an audit event's JSON summary) with its UTC instants written in the clinic's zone and format:
    "2026-11-23T06:05:00+00:00" → "23.11.2026 07:05"."""

    def local(match: re.Match) -> str:
        try:
            instant = dt.datetime.fromisoformat(match.group(0).replace("Z", "+00:00"))
        except ValueError:
            return match.group(0)
        return local_datetime(instant)

    return _UTC_INSTANT.sub(local, text or "")


# A word of a name longer than this may break anywhere: no column is narrower (a 100-letter name).
LONG_WORD = 24
_NAME_BREAKS = re.compile(r"(\s+|-)")


def person_name(name: str | None) -> Markup:
    """A patient's name that wraps at its spaces and hyphens only, never inside a word (staff walk: "Mül|ler"
    split in the triage list's narrow column); only a single word too long for any column (``LONG_WORD``)
    breaks where it must, the last resort. The classes are in clinic.css."""
    parts = _NAME_BREAKS.split(name or "")
    inner = Markup("").join(
        Markup('<span class="long-word">{}</span>').format(part) if len(part) > LONG_WORD else escape(part)
        for part in parts
    )
    return Markup('<span class="person-name">{}</span>').format(inner)


def age(years: int | None) -> str:
    """A patient's age in the screen's language, on one line: "47 J." with a no-break space (walk at 1000 px:
    "47" ended one line and "J." began the next)."""
    if years is None:
        return ""
    return (gettext("%(age)s y") % {"age": years}).replace(" ", "\u00a0")


# A phone number in a text: from its "+" or leading zero to its last digit ("+49 (0)171 555 019 99", "040 555 0199").
_PHONE = re.compile(r"(?<![\w.])[+0][\d ()/\-]{5,}\d")


def phones(text) -> Markup:
    """``text`` (a service's phrase in the screen's language) with each phone number in it kept on one line
    (walk at 1000 px: the escort's "+49 (0)171 555 019 99" broke over two lines on the checklist). The class
    is Bootstrap's."""
    text = str(say(text)) if text is not None else ""
    shown, last = [], 0
    for match in _PHONE.finditer(text):
        shown += [escape(text[last : match.start()]), Markup('<span class="text-nowrap">{}</span>').format(match[0])]
        last = match.end()
    shown.append(escape(text[last:]))
    return Markup("").join(shown)


def email(address: str | None) -> Markup:
    """An e-mail address that may break after its "@" and before its dots (walk at 1000 px: the patient card
    split it inside a word, "praxi|s"); a part too long for any line breaks inside (the class's last resort)."""
    if not address:
        return Markup("")
    pieces = re.split(r"(?<=@)|(?=\.)", str(address))
    return Markup('<span class="email">{}</span>').format(Markup("<wbr>").join(escape(piece) for piece in pieces))


def number(value) -> str:
    """A measured value in the screen's language (Babel's locale data): 40 mg, 2,5 ml, 85,5 mGy·cm on German
    screens; trailing zeros left out (a dose stored as 40.00 reads 40)."""
    if value is None:
        return ""
    return format_decimal(value)


def percent(value) -> str:
    """A percentage given as 0–100, with one decimal, in the screen's language: "65,0 %" / "65.0%"."""
    if value is None:
        return "—"
    pattern = get_locale().percent_formats[None].pattern.replace("#,##0", "#,##0.0", 1)  # "#,##0 %" (de)
    return format_percent(value / 100, pattern)


def label(value: str | None, enum_name: str) -> str:
    """A stored code by its label, in the screen's language ("checked_in" → "Angemeldet"); a code the
    vocabulary does not know shows as it is."""
    if value is None:
        return ""
    enum = getattr(vocab, enum_name)
    try:
        return gettext(enum(value).label)
    except ValueError:
        return value


def stage(value: str | None, form: str = "phrase") -> str:
    """A stored stage as the screens name it (``Stage.phrase``; ``form="word"``: inside a sentence that says
    "stage" itself, ``Stage.word``); a code the vocabulary does not know as it is."""
    if not value:
        return ""
    try:
        return say(getattr(vocab.Stage(value), form))
    except ValueError:
        return value


NAV = [
    # (endpoint, label (translated when the menu is drawn), roles)
    ("frontdesk.today", N_("Front desk"), {"front_desk"}),
    ("frontdesk.referrals", N_("Referrals"), {"front_desk"}),
    ("frontdesk.calendar", N_("Calendar"), {"front_desk", "radiologist"}),
    ("patients.index", N_("Patients"), {"front_desk", "radiologist", "nurse"}),
    ("radiology.triage", N_("Triage"), {"radiologist"}),
    ("radiology.worklist", N_("Worklist"), {"radiologist", "nurse"}),
    ("observation.board", N_("Observation"), {"nurse", "radiologist"}),
    ("radiology.follow_ups", N_("Follow-up"), {"radiologist", "front_desk"}),
    ("radiology.reports", N_("Reports"), {"radiologist", "admin"}),
    ("admin.index", N_("Admin"), {"admin"}),
]

# Pages whose address lies under no section of their reader's menu, and the section they are opened from
# (walk finding: the triage of one referral, the procedure record and the appointment page marked none).
# In order of preference: the first one the reader's menu shows is marked.
NAV_PAGES = [
    ("radiology.triage", "/radiology/referrals"),
    ("radiology.worklist", "/radiology/appointments"),
    ("radiology.worklist", "/desk/appointments"),
]


def nav_items() -> list[tuple[str, str, bool]]:
    if not current_user.is_authenticated:
        return []
    shown = [
        (url_for(endpoint), text)
        for endpoint, text, roles in NAV
        if endpoint in current_app.view_functions and current_user.has_role(*roles)
    ]
    # One section is the page's: the longest address the page lies under (a booking page under
    # /desk/referrals is the referrals', not also the front desk's /desk: walk finding, two were marked).
    # A page under no shown section's address belongs to the section it is opened from (NAV_PAGES).
    matching = [href for href, _text in shown if _under(request.path, href)]
    current = max(matching, key=len, default=None)
    if current is None:
        hrefs = {href for href, _text in shown}
        opened_from = (url_for(endpoint) for endpoint, prefix in NAV_PAGES if _under(request.path, prefix))
        current = next((href for href in opened_from if href in hrefs), None)
    return [(href, _menu_label(text), href == current) for href, text in shown]


def _menu_label(text: str) -> str:
    """The menu's own shorter word where the catalogue has one (context "menu": "Indikation" for the page
    "Indikationsprüfung"), else the page's: a radiologist's sections took two rows at 1000 px (walk finding)."""
    short = catalogue().pgettext("menu", text)
    return short if short != text else gettext(text)


def _under(path: str, href: str) -> bool:
    prefix = href.rstrip("/")
    return bool(prefix) and (path == prefix or path.startswith(prefix + "/"))


def may_open(endpoint: str) -> bool:
    """Whether the current user may open the page of ``endpoint`` (its access rule), so that a screen
    links only to pages its reader may see."""
    return allows(access_rule(current_app.view_functions.get(endpoint)), current_user)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["dt"] = local_datetime
    app.jinja_env.filters["date"] = local_date
    app.jinja_env.filters["time"] = local_time
    app.jinja_env.filters["local_day"] = local_day
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["stage"] = stage
    app.jinja_env.filters["stage_word"] = lambda value: stage(value, "word")
    app.jinja_env.filters["person_name"] = person_name
    app.jinja_env.filters["age"] = age
    app.jinja_env.filters["phones"] = phones
    app.jinja_env.filters["email"] = email
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.filters["treatments"] = treatments
    app.jinja_env.filters["local_instants"] = local_instants
    app.jinja_env.filters["identity_note"] = note_phrases  # a DICOM identity note in the screen's language
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["may_open"] = may_open
    app.jinja_env.globals["study_age"] = study_age
    app.jinja_env.globals["vocab"] = vocab
    app.jinja_env.globals["screen_language"] = screen_language
    app.jinja_env.globals["correct_marked"] = correct_marked
    app.jinja_env.globals["marked_fields"] = marked_fields
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def clinic_context():
        from .web import now as clock_now

        now = clock_now()
        return {"clinic_zone": _zone(), "today": timefmt.to_local(now, _zone()).date(), "now_utc": now}
