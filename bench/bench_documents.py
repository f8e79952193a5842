"""Render times of the printed documents: median over repeated runs, on an SQLite clinic in a temp dir.

    python bench/bench_documents.py [--runs 40]

Goals (issue 6): consent form ≤ 30 ms, 60-row worklist ≤ 60 ms, judged on the median wall-clock time of
"render": the reportlab work alone, data already loaded. "service" is what a view pays: queries,
settings, hold plan and rendering (and, for the consent and the pack, recording the Consent row).
"cpu ms" is the median CPU time, for a machine that is busy with other work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable

from benchenv import prepare

WORKDIR = prepare("bench-documents-")

ZONE = "Europe/Berlin"
DAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
GOALS_MS = {"consent form": 30.0, "worklist, 60 rows": 60.0}
WORKLIST_ROWS = 60


def build(session):
    """A clinic open 06:00-22:00, 60 facet blocks in CT 1 on one day, one PRT patient on blood thinners."""
    from clinic.scheduling.context import Settings
    from clinic.scheduling.finder import Preferences
    from clinic.scheduling.plan import ProcedurePlan
    from clinic.services import appointments
    from clinic.services.candidates import candidates_for_referral
    from tests.factories import build_clinic, make_patient, make_ready_referral

    settings = Settings(zone=ZONE, clock=lambda: NOW)
    clinic = build_clinic(session, texts=True, hours=(dt.time(6), dt.time(22)), beds=8)
    room = clinic.rooms["CT 1"]
    names = ["Søren-Müller", "Weiß-Dupré", "Łęcka", "Ødegård", "Öztürk", "Šimůnek"]

    def book(referral, first_day=DAY, room_id=None):
        last = first_day + dt.timedelta(days=28)
        prefs = Preferences(room_id=room_id)
        ready, found = candidates_for_referral(
            session, settings, referral, first_day=first_day, last_day=last, preferences=prefs, limit=1
        )
        assert ready.ready and found, ready.missing
        plan = ProcedurePlan.from_referral(referral)
        return appointments.book(session, settings, None, referral=referral, plan=plan, candidate=found[0])

    for n in range(WORKLIST_ROWS):
        patient = make_patient(session, family_name=names[n % len(names)], given_name="Zoë")
        referral = make_ready_referral(session, clinic, patient, code="FACET", stage="diagnostic")
        prereg = referral.preregistration
        prereg.diabetes, prereg.allergy_contrast = n % 3 == 0, n % 4 == 0
        book(referral, room_id=room.id)
    patient = make_patient(session, family_name="Søren-Müller", given_name="Łukasz", sex="male")
    meds = [("clopidogrel", "", None), ("aspirin", "secondary", None)]
    referral = make_ready_referral(session, clinic, patient, medications=meds)
    appointment = book(referral, first_day=dt.date(2026, 12, 7))
    session.commit()
    return clinic, room, appointment


def measure(runs: int, fn: Callable[[], object]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per run. CPU time is the steadier figure on a shared machine:
    it leaves out the time the process waited for a processor."""
    for _ in range(3):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def cases(session, room, appointment) -> list[tuple[str, str, Callable[[], object]]]:
    """(document, "render" or "service", the call to time)."""
    from clinic.documents import (
        render_consent,
        render_information_sheet,
        render_letter,
        render_print_pack,
        render_worklist,
    )
    from clinic.models.vocab import DocumentKind
    from clinic.scheduling.context import Settings
    from clinic.services import documents, medication, settings
    from clinic.services.consents import consent_text_for, current_text, print_consent

    scheduling = Settings(zone=ZONE, clock=lambda: NOW)
    contact = settings.contact(session)
    consent_text = consent_text_for(session, appointment)
    info_text = current_text(session, appointment.procedure_type_id, DocumentKind.INFORMATION, "de")
    letter = documents.letter_context(session, appointment, ZONE, issued_on=DAY)
    rows = documents.worklist_appointments(session, DAY, room, ZONE)
    assert len(rows) == WORKLIST_ROWS, len(rows)
    names = {code: en for code, (en, _de) in medication.drug_names(session).items()}

    def rolled_back(fn: Callable[[], object]) -> Callable[[], object]:
        """For calls that record a Consent: each run's row is rolled back again."""

        def run() -> None:
            with session.begin_nested() as savepoint:
                fn()
                savepoint.rollback()

        return run

    return [
        ("consent form", "render", lambda: render_consent(appointment, consent_text, contact, ZONE)),
        ("consent form", "service", rolled_back(lambda: print_consent(session, None, appointment, ZONE))),
        ("information sheet", "render", lambda: render_information_sheet(info_text, contact)),
        (
            "information sheet",
            "service",
            lambda: documents.information_sheet_pdf(session, info_text.procedure_type, "de"),
        ),
        ("appointment letter", "render", lambda: render_letter(letter)),
        (
            "appointment letter",
            "service",
            lambda: documents.letter_pdf(session, scheduling, appointment, issued_on=DAY),
        ),
        ("worklist, 60 rows", "render", lambda: render_worklist(rows, room.name, DAY, ZONE, contact, names)),
        ("worklist, 60 rows", "service", lambda: documents.worklist_pdf(session, DAY, room, ZONE)),
        ("print pack", "render", lambda: render_print_pack(letter, info_text, consent_text, contact)),
        (
            "print pack",
            "service",
            rolled_back(lambda: documents.print_pack_pdf(session, scheduling, None, appointment, issued_on=DAY)),
        ),
    ]


def report(name: str, what: str, wall: list[float], cpu: list[float]) -> str:
    median = statistics.median(wall)
    goal = GOALS_MS.get(name) if what == "render" else None
    verdict = "" if goal is None else f"goal ≤ {goal:.0f} ms: " + ("met" if median <= goal else "MISSED")
    return (
        f"{name:<20} {what:<8} {median:>10.1f} {min(wall):>7.1f} {max(wall):>7.1f}"
        f" {statistics.median(cpu):>8.1f}  {verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40, help="timed runs per document (at least 30)")
    parser.add_argument("--only", help='one document, e.g. "consent form"')
    args = parser.parse_args()

    from flask_migrate import upgrade

    from clinic import create_app
    from clinic.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{WORKDIR}/bench.db", "TESTING": True})
    with app.app_context():
        upgrade()
        session = db.session
        _clinic, room, appointment = build(session)
        print(f"{args.runs} timed runs each, after 3 warm-up runs; SQLite in {WORKDIR}")
        print(f"{'document':<20} {'what':<8} {'median ms':>10} {'min':>7} {'max':>7} {'cpu ms':>8}")
        for name, what, fn in cases(session, room, appointment):
            if args.only is None or args.only == name:
                print(report(name, what, *measure(args.runs, fn)), flush=True)
        session.rollback()
        db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
