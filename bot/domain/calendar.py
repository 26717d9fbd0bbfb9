"""Pure time arithmetic in a meeting's zone: durations, local times, daily fire times.

Daily digests are computed here, one instant per local date, instead of with APScheduler's
cron trigger, whose local-time DST handling skips or repeats runs (its issues #606, #1021).
A local time that does not exist on a spring-forward day fires when the clock would have
shown it (02:30 becomes 03:30); one that occurs twice on a fall-back day fires once, at its
first occurrence.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_DURATION = re.compile(r"(?:(\d{1,4})d)?\s*(?:(\d{1,4})h)?\s*(?:(\d{1,5})m)?", re.IGNORECASE)
_LOCAL = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


class TimeFormatError(ValueError):
    """Text that should name a time, a duration or a zone does not."""


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (e.g. ``Africa/Gaborone``); TimeFormatError when unknown."""
    cleaned = name.strip()
    if not cleaned or cleaned.startswith(("/", ".")) or ".." in cleaned:
        raise TimeFormatError(f"“{cleaned}” is not a time zone name.")
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        close = sorted(z for z in available_timezones() if z.lower() == cleaned.lower())
        hint = f" Did you mean {close[0]}?" if close else " Use an IANA name like Africa/Gaborone."
        raise TimeFormatError(f"“{cleaned}” is not a known time zone.{hint}") from None


def parse_duration(text: str) -> timedelta:
    """``45m``, ``2h``, ``3d``, ``1h30m`` → a positive timedelta."""
    cleaned = text.strip().lower()
    match = _DURATION.fullmatch(cleaned)
    if not cleaned or not match or not any(match.groups()):
        raise TimeFormatError(f"“{text.strip()}” is not a duration; write it like 45m, 2h or 3d.")
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    delta = timedelta(days=days, hours=hours, minutes=minutes)
    if delta <= timedelta(0):
        raise TimeFormatError("A duration must be longer than zero.")
    if delta > timedelta(days=366):
        raise TimeFormatError("A duration can be at most a year.")
    return delta


def parse_local(text: str, tz: ZoneInfo) -> datetime:
    """``YYYY-MM-DD HH:MM`` read in ``tz`` → an aware UTC instant."""
    match = _LOCAL.fullmatch(text.strip())
    if not match:
        raise TimeFormatError(f"“{text.strip()}” is not a date and time; write YYYY-MM-DD HH:MM.")
    year, month, day, hour, minute = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC)
    except (ValueError, OverflowError):
        raise TimeFormatError(f"“{text.strip()}” is not a real date and time.") from None


HORIZON = timedelta(days=5 * 366)  # the furthest ahead a deadline or a session may be


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """A deadline: ``in 45m`` / ``in 2h`` / ``in 3d`` from now, or a local date and time."""
    cleaned = text.strip()
    if cleaned.lower().startswith("in "):
        return within_horizon(now + parse_duration(cleaned[3:]), now)
    return within_horizon(parse_local(cleaned, tz), now)


def looks_like_when(text: str) -> bool:
    """Whether ``text`` is written as a deadline (``in 2h``, ``YYYY-MM-DD HH:MM``), before
    asking whether that time exists or lies ahead: words that are not are no deadline."""
    cleaned = text.strip()
    if cleaned.lower().startswith("in "):
        match = _DURATION.fullmatch(cleaned[3:].strip())
        return match is not None and any(match.groups())
    return _LOCAL.fullmatch(cleaned) is not None


def within_horizon(moment: datetime, now: datetime) -> datetime:
    if moment > now + HORIZON:
        raise TimeFormatError("That is more than five years ahead; give a nearer time.")
    return moment


def parse_clock(text: str) -> time:
    """``HH:MM`` (24-hour) → a wall-clock time."""
    match = _CLOCK.fullmatch(text.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise TimeFormatError(f"“{text.strip()}” is not a time of day; write HH:MM, e.g. 08:00.")
    return time(int(match.group(1)), int(match.group(2)))


def at_local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The instant the wall clock in ``tz`` shows ``clock`` on ``day`` (first if twice)."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def next_fire_after(after: datetime, clock: time, tz: ZoneInfo) -> datetime:
    """The first daily fire instant strictly after ``after``: one per local date, always
    later than the one before, so a loop over it can neither skip a day nor spin."""
    day = after.astimezone(tz).date() - timedelta(days=1)
    while True:
        candidate = at_local(day, clock, tz)
        if candidate > after:
            return candidate
        day += timedelta(days=1)


def latest_fire_at_or_before(moment: datetime, clock: time, tz: ZoneInfo) -> datetime:
    """The most recent daily fire instant not after ``moment``."""
    day = moment.astimezone(tz).date() + timedelta(days=1)
    while True:
        candidate = at_local(day, clock, tz)
        if candidate <= moment:
            return candidate
        day -= timedelta(days=1)


def local_day_bounds(moment: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where the local day containing ``moment`` starts and ends."""
    day = moment.astimezone(tz).date()
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end
