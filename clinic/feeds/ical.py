"""A feed's events as an iCalendar file (RFC 5545) with the icalendar library: times in the clinic's
zone with its VTIMEZONE, so that subscribers show the right hour on both sides of a daylight-saving
change. No Flask here."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration

from ..services.feeds import FeedEvent

PRODID = "-//Pain clinic//Calendar feed//EN"
REFRESH = dt.timedelta(minutes=15)


def render(name: str, events: list[FeedEvent], zone: str, now: dt.datetime) -> bytes:
    tz = ZoneInfo(zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone)
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("sequence", item.sequence)
        event.add("dtstamp", now.astimezone(dt.UTC))
        event.add("last-modified", item.modified.astimezone(dt.UTC))
        event.add("dtstart", item.start.astimezone(tz))
        event.add("dtend", item.end.astimezone(tz))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("location", item.location)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if item.cancelled else "OPAQUE")
        event.add("class", "PRIVATE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
