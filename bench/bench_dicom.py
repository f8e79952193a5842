"""The scanners' worklist under load: a day of 60 appointments in one room, asked for by the room's
scanner, answered by ``flask --app clinic dicom`` running as its own process (as in production).

    python bench/bench_dicom.py [--runs 60] [--quick] [--database-url postgresql://...]

Goal (issue 19): a worklist query for a day of 60 appointments answers in a median under 50 ms.
"query" is what a scanner console does each time: open an association, C-FIND, read all answers,
release, here by a pynetdicom client in this process. "C-FIND only" repeats the C-FIND on one open
association. "query by dcmtk findscu" is the whole query by a C++ client (as scanner consoles are),
its process start included. Times are wall-clock, measured by the client on the same machine; the
server is a separate process. The CPU time per query of the server and of this client is printed
too: on a machine busy with other work it is the steadier figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchenv import ROOT, prepare

WORKDIR = prepare("bench-dicom-")

ZONE = "Europe/Berlin"
DAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 24, 5, 0, tzinfo=dt.UTC)  # 06:00 in Berlin on the day
APPOINTMENTS = 60
GOAL_MS = 50.0
OUR_AE, STATION = "PAINCLINIC", "CT1"


def build(session) -> None:
    """A clinic open 06:00-22:00; 60 facet blocks in CT 1 on the day, half of them checked in."""
    from clinic.core import clock
    from clinic.scheduling.context import Settings
    from clinic.scheduling.finder import Preferences
    from clinic.scheduling.plan import ProcedurePlan
    from clinic.services import appointments, procedure_day
    from clinic.services.candidates import candidates_for_referral
    from tests.factories import build_clinic, make_patient, make_ready_referral

    clock.pin(NOW)
    settings = Settings(zone=ZONE, clock=lambda: NOW)
    clinic = build_clinic(session, hours=(dt.time(6), dt.time(22)), beds=8)
    room = clinic.rooms["CT 1"]
    room.ae_title = STATION
    names = ["Søren-Müller", "Weiß-Dupré", "Łęcka", "Ødegård", "Öztürk", "Šimůnek"]
    for n in range(APPOINTMENTS):
        patient = make_patient(session, family_name=names[n % len(names)], given_name="Zoë")
        referral = make_ready_referral(session, clinic, patient, code="FACET", stage="diagnostic")
        ready, found = candidates_for_referral(
            session, settings, referral, first_day=DAY, last_day=DAY, preferences=Preferences(room_id=room.id), limit=1
        )
        assert ready.ready and found, f"no time left on {DAY} for appointment {n + 1}"
        plan = ProcedurePlan.from_referral(referral)
        appointment = appointments.book(session, settings, None, referral=referral, plan=plan, candidate=found[0])
        if n % 2 == 0:
            procedure_day.check_in(session, None, appointment, at=NOW, zone=ZONE)
    session.commit()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DICOM_AE_TITLE": OUR_AE,
        "DICOM_HOST": "127.0.0.1",
        "DICOM_PORT": str(port),
        "DICOM_STORAGE_PORT": str(free_port()),
        "PACS_HOST": "",
        "CLINIC_CLOCK_START": NOW.isoformat(),
    }
    log = open(Path(WORKDIR) / "dicom.log", "w")  # noqa: SIM115 (kept open for the process's life)
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "clinic", "dicom"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 60
    while "listening on" not in (Path(WORKDIR) / "dicom.log").read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the DICOM process did not start:\n" + (Path(WORKDIR) / "dicom.log").read_text())
        time.sleep(0.1)
    return proc


def query():
    from pydicom.dataset import Dataset

    ds = Dataset()
    for key in ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "AccessionNumber", "StudyInstanceUID"):
        setattr(ds, key, "")
    ds.RequestedProcedureDescription = ""
    step = Dataset()
    step.ScheduledStationAETitle = STATION
    step.ScheduledProcedureStepStartDate = DAY.strftime("%Y%m%d")
    step.ScheduledProcedureStepStartTime = ""
    step.Modality = "CT"
    step.ScheduledPerformingPhysicianName = ""
    ds.ScheduledProcedureStepSequence = [step]
    return ds


def scanner():
    from pynetdicom import AE
    from pynetdicom.sop_class import ModalityWorklistInformationFind

    ae = AE(ae_title=STATION)
    ae.add_requested_context(ModalityWorklistInformationFind)
    return ae


def find(assoc, identifier) -> int:
    from pynetdicom.sop_class import ModalityWorklistInformationFind

    answers = 0
    for status, answer in assoc.send_c_find(identifier, ModalityWorklistInformationFind):
        if status and status.Status in (0xFF00, 0xFF01) and answer is not None:
            answers += 1
        elif not status or status.Status != 0x0000:
            raise SystemExit(f"the worklist query failed: {status}")
    return answers


FINDSCU = Path("/usr/bin/findscu")


def findscu_query(port: int) -> None:
    """The same query by dcmtk's findscu: a C++ client, as scanner consoles are (process start included)."""
    step = "ScheduledProcedureStepSequence[0]"
    keys = ["PatientName", "PatientID", "PatientBirthDate", "PatientSex", "AccessionNumber", "StudyInstanceUID"]
    keys += ["RequestedProcedureDescription", f"{step}.ScheduledStationAETitle={STATION}"]
    keys += [f"{step}.ScheduledProcedureStepStartDate={DAY:%Y%m%d}", f"{step}.ScheduledProcedureStepStartTime"]
    keys += [f"{step}.Modality=CT", f"{step}.ScheduledPerformingPhysicianName"]
    args = [str(FINDSCU), "-W", "-aet", STATION, "-aec", OUR_AE]
    for key in keys:
        args += ["-k", key]
    result = subprocess.run([*args, "127.0.0.1", str(port)], capture_output=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"findscu failed: {result.stderr.decode(errors='replace')}")


def full_query(ae, port: int, identifier) -> int:
    assoc = ae.associate("127.0.0.1", port, ae_title=OUR_AE)
    if not assoc.is_established:
        raise SystemExit("the association was not accepted")
    try:
        return find(assoc, identifier)
    finally:
        assoc.release()


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(runs: int, fn, server_pid: int) -> tuple[list[float], float, float]:
    """Wall-clock ms per run, and the CPU ms per run of the server process and of this client. CPU time
    is the steadier figure on a machine busy with other work: it leaves out time spent waiting for a
    processor, which the wall-clock median includes."""
    for _ in range(3):
        fn()
    times = []
    server_before, client_before = server_cpu_seconds(server_pid), time.process_time()
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    server_ms = (server_cpu_seconds(server_pid) - server_before) * 1000 / runs
    client_ms = (time.process_time() - client_before) * 1000 / runs
    return times, server_ms, client_ms


def report(label: str, measured: tuple[list[float], float, float], goal: float | None = None) -> None:
    times, server_ms, client_ms = measured
    median = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) >= 10 else max(times)
    verdict = "" if goal is None else (f"  goal < {goal:.0f} ms: " + ("met" if median < goal else "MISSED"))
    print(
        f"{label:<34} median {median:6.1f} ms   p90 {p90:6.1f} ms   min {min(times):6.1f} ms"
        f"   cpu/query: server {server_ms:5.1f} ms, client {client_ms:5.1f} ms{verdict}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--database-url", default=f"sqlite:///{WORKDIR}/bench.db")
    args = parser.parse_args()
    runs = 15 if args.quick else args.runs

    from flask_migrate import upgrade

    from clinic import create_app
    from clinic.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    with app.app_context():
        upgrade()
        build(db.session)
        db.engine.dispose()
    port = free_port()
    server = start_server(args.database_url, port)
    try:
        ae, identifier = scanner(), query()
        answers = full_query(ae, port, identifier)
        print(f"{APPOINTMENTS} appointments on {DAY:%d.%m.%Y} in CT 1; the scanner {STATION} gets {answers} entries")
        print(f"database: {args.database_url.split(':')[0]}; {runs} runs each; server: flask --app clinic dicom")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        pid = server.pid
        whole = timed(runs, lambda: full_query(ae, port, identifier), pid)
        report("query (associate, C-FIND, release)", whole, GOAL_MS)
        assoc = ae.associate("127.0.0.1", port, ae_title=OUR_AE)
        try:
            report("C-FIND only (open association)", timed(runs, lambda: find(assoc, identifier), pid))
        finally:
            assoc.release()
        if FINDSCU.exists():
            report("query by dcmtk findscu", timed(runs, lambda: findscu_query(port), pid), GOAL_MS)
        else:
            print(f"{FINDSCU} is missing (apt-get install dcmtk): no figure from a C++ client")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
