"""What the load test's 32 people do (run by bench/load.py, which starts the server and passes the
clinic's ids in LOAD_DATA): half work the front desk, half are radiologists. Each logs in once, then
works the screens with a short pause between steps. Every request is named by its page, so that the
statistics come per page; "trivial" is /healthz, the yardstick measured in the same run.

The users are Locust's FastHttpUser (geventhttpclient), not HttpUser (requests): the load generator runs
on the server's own cores here, and FastHttpUser spends a fraction of the CPU per request that requests
does, which leaves the cores to the server being measured. Forms are sent urlencoded, as a browser does."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

DATA = json.loads(Path(os.environ["LOAD_DATA"]).read_text(encoding="utf-8"))
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CHAIN = re.compile(r'<form[^>]*method="post"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"')
PASSWORD = "demo-password-1"
TODAY = dt.date.fromisoformat(DATA["today"])
READY = list(DATA["ready_referrals"])
random.Random(20).shuffle(READY)
_radiologists = itertools.cycle(DATA["radiologists"])
SEARCHES = ["Müller", "Schmidt 1", "Weber-1", "Koch", "Wolf-12", "B-00012", "Fischer-3", "Bauer 2"]


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _form(**fields: str) -> str:
    return urlencode(fields)


def _day(span: int = 10) -> str:
    day = TODAY + dt.timedelta(days=random.randrange(span))
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day.isoformat()


# The pause between one person's steps, in seconds: 0.5-1.5 by default, a stress test (every person clicks
# about once a second); `load.py --pace human` sets 5-10, a person reading the screen between clicks.
PAUSE = tuple(float(s) for s in os.environ.get("LOAD_PAUSE", "0.5 1.5").split())


class Staff(FastHttpUser):
    abstract = True
    # The stress pause is shorter than gunicorn's 2 s keep-alive, so that a reused connection is not closed
    # under the client; at the human pace the client opens a new one when it was.
    wait_time = between(*PAUSE)
    username = ""

    def on_start(self) -> None:
        page = self.client.get("/login", name="login")
        response = self.client.post(
            "/login",
            data=_form(username=self.username, password=PASSWORD, csrf_token=_csrf(page.text)),
            headers=FORM,
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{self.username} could not log in: {response.status_code}")

    @task(2)
    def trivial(self) -> None:
        self.client.get("/healthz", name="trivial (/healthz)")

    @task(1)
    def trivial_page(self) -> None:
        # A signed-in page with nothing on it but the layout: what every page pays before its own work
        # (session, user and roles, the CSRF token, the navigation, the commit), which /healthz skips.
        self.client.get("/profile", name="trivial page (/profile)")

    @task(2)
    def day_calendar(self) -> None:
        self.client.get(f"/desk/calendar?day={_day()}", name="day calendar")


class FrontDesk(Staff):
    username = "frontdesk"

    @task(3)
    def patient_search(self) -> None:
        with self.client.get("/patients/", name="patient search", catch_response=True) as page:
            token = CSRF.search(page.text)
            if token is None:
                page.failure(f"no search form ({page.status_code})")
                return
        with self.client.post(
            "/patients/",
            data=_form(q=random.choice(SEARCHES), csrf_token=token.group(1)),
            headers=FORM,
            name="patient search",
            catch_response=True,
        ) as response:
            if "/patients" not in response.url:
                response.failure("the search did not come back to the list")

    @task(3)
    def referral_page(self) -> None:
        referral = random.choice(DATA["history_referrals"] + READY[-50:])
        self.client.get(f"/desk/referrals/{referral}", name="referral page")

    @task(2)
    def finder(self) -> None:
        self.client.get(f"/desk/referrals/{random.choice(READY[-50:])}/book", name="finder (booking page)")

    @task(1)
    def booking(self) -> None:
        if len(READY) <= 50:
            return
        referral = READY.pop(0)  # from the front: the finder task reads the last 50, which stay unbooked
        page = self.client.get(f"/desk/referrals/{referral}/book", name="finder (booking page)")
        forms = [f for f in CHAIN.findall(page.text) if 'name="table_start"' in f]
        if not forms:
            return
        fields = dict(HIDDEN.findall(random.choice(forms[:3])))
        fields.update(csrf_token=_csrf(page.text), action="book")
        with self.client.post(
            f"/desk/referrals/{referral}/book",
            data=_form(**fields),
            headers=FORM,
            name="booking (POST)",
            catch_response=True,
            allow_redirects=False,
        ) as response:
            if response.status_code == 409:
                response.success()  # another desk was quicker: the page offers the next times
            elif response.status_code != 302:
                response.failure(f"booking answered {response.status_code}")
            elif "/appointments/" not in response.headers.get("Location", "") or "reschedule" in response.headers.get(
                "Location", ""
            ):  # not a booking: the referral had its appointment already (a redirect to move it)
                response.failure("the referral was booked already")

    @task(1)
    def letter(self) -> None:
        appointment = random.choice(DATA["appointments"])
        self.client.get(f"/desk/appointments/{appointment}/letter.pdf", name="letter (PDF)")

    @task(1)
    def today(self) -> None:
        self.client.get("/desk/", name="front desk today")


class Radiologist(Staff):
    def on_start(self) -> None:
        self.username = next(_radiologists)
        super().on_start()

    @task(1)
    def worklist(self) -> None:
        self.client.get("/radiology/worklist", name="worklist")

    @task(4)
    def worklist_refresh(self) -> None:
        self.client.get("/radiology/worklist/rows", name="worklist refresh")

    @task(2)
    def appointment(self) -> None:
        appointment = random.choice(DATA["appointments"])
        self.client.get(f"/radiology/appointments/{appointment}", name="appointment page")

    @task(1)
    def worklist_pdf(self) -> None:
        self.client.get(f"/radiology/worklist/{random.choice(DATA['rooms'])}.pdf?day={_day(3)}", name="worklist (PDF)")
