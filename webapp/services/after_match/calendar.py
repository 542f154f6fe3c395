"""Calendar invitations for proposed meetings: ``.ics`` files (RFC 5545) made with ``icalendar``.

One VEVENT per meeting, its start in the proposer's time zone (with the
VTIMEZONE that defines it), the proposer as ORGANIZER and everyone who
meets as ATTENDEE, so a calendar client shows Accept / Decline. A change or
a cancellation re-sends the same UID with a higher SEQUENCE (RFC 5546).
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from models import Meeting, Member
from models.base import utcnow
from webapp.services.messages import Attachment
from webapp.services.rounds.participation import aware

PRODID = "-//CoPMatch//Communities of Practice//EN"


def invitation(meeting: Meeting, attendees: list[Member], organizer: Member | None, summary: str,
               description: str = "", *, cancel: bool = False) -> bytes:
    """The ``.ics`` of ``meeting``: a REQUEST (or, with ``cancel``, a CANCEL) for ``attendees``."""
    if meeting.starts_at is None:
        raise ValueError(f"meeting {meeting.id} has no start time to invite to")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    start = aware(meeting.starts_at).astimezone(ZoneInfo(meeting.timezone))
    event.add("uid", meeting.uid)
    event.add("dtstamp", utcnow())
    event.add("sequence", meeting.sequence)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.minutes))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if meeting.place:
        event.add("location", meeting.place)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    if organizer is not None:
        event.add("organizer", _address(organizer, organizer=True))
    for member in attendees:
        event.add("attendee", _address(member), encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_attachment(data: bytes, *, cancel: bool = False) -> Attachment:
    """The invitation as an email attachment calendar clients recognise."""
    method = "CANCEL" if cancel else "REQUEST"
    return Attachment("invite.ics", f"text/calendar; method={method}; charset=utf-8", data)


def _address(member: Member, *, organizer: bool = False) -> vCalAddress:
    address = vCalAddress(f"mailto:{member.email}")
    address.params["cn"] = vText(member.display_name)
    if not organizer:
        address.params["role"] = vText("REQ-PARTICIPANT")
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("TRUE")
    return address
