"""Daily times across daylight-saving changes: once per local day, never a skip, never a spin."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest

from bot.domain.calendar import (
    TimeFormatError,
    latest_fire_at_or_before,
    next_fire_after,
    parse_clock,
    parse_duration,
    parse_local,
    parse_when,
    zone,
)

# (zone, spring-forward day, fall-back day); Gaborone has no DST at all.
TRANSITIONS = [
    ("Europe/Brussels", date(2026, 3, 29), date(2026, 10, 25)),
    ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
    ("Africa/Gaborone", date(2026, 3, 29), date(2026, 10, 25)),
]


def fires_over(zone_name: str, clock: time, around: date, days: int = 6) -> list[datetime]:
    tz = zone(zone_name)
    moment = datetime.combine(around - timedelta(days=2), time(12), tzinfo=tz).astimezone(UTC)
    fires = []
    for _ in range(days):
        moment = next_fire_after(moment, clock, tz)
        fires.append(moment)
    return fires


@pytest.mark.parametrize(("zone_name", "spring", "fall"), TRANSITIONS)
@pytest.mark.parametrize("clock", ["00:00", "01:30", "02:30", "08:00"])
def test_a_daily_time_fires_exactly_once_on_every_local_day_across_both_changes(
    zone_name: str, spring: date, fall: date, clock: str
) -> None:
    tz = zone(zone_name)
    for day in (spring, fall):
        fires = fires_over(zone_name, parse_clock(clock), day)
        local_days = [f.astimezone(tz).date() for f in fires]
        assert local_days == [day - timedelta(days=1) + timedelta(days=i) for i in range(6)]
        assert all(later > earlier for earlier, later in pairwise(fires))


def test_a_digest_at_eight_stays_at_eight_local_across_the_change() -> None:
    tz = zone("Europe/Brussels")
    fires = fires_over("Europe/Brussels", time(8), date(2026, 3, 29))
    assert {f.astimezone(tz).time() for f in fires} == {time(8)}
    assert {f.astimezone(UTC).hour for f in fires} == {6, 7}


def test_a_time_missing_on_the_spring_day_fires_when_the_clock_shows_it() -> None:
    tz = zone("Europe/Brussels")
    fires = fires_over("Europe/Brussels", time(2, 30), date(2026, 3, 29))
    on_the_day = [f for f in fires if f.astimezone(tz).date() == date(2026, 3, 29)]
    assert [f.astimezone(tz).strftime("%H:%M %Z") for f in on_the_day] == ["03:30 CEST"]


def test_a_time_repeated_on_the_fall_day_fires_once_at_its_first_occurrence() -> None:
    tz = zone("America/New_York")
    fires = fires_over("America/New_York", time(1, 30), date(2026, 11, 1))
    on_the_day = [f for f in fires if f.astimezone(tz).date() == date(2026, 11, 1)]
    assert [f.astimezone(tz).strftime("%H:%M %Z") for f in on_the_day] == ["01:30 EDT"]


def test_latest_fire_is_the_one_just_passed() -> None:
    tz = zone("Europe/Brussels")
    now = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)  # 10:00 CET on the fall-back day
    latest = latest_fire_at_or_before(now, time(8), tz)
    assert latest == datetime(2026, 10, 25, 8, 0, tzinfo=tz)
    assert next_fire_after(latest, time(8), tz) > now


def test_durations_and_local_times_parse_or_say_what_is_wrong() -> None:
    assert parse_duration("1h30m") == timedelta(hours=1, minutes=30)
    assert parse_duration("3d") == timedelta(days=3)
    now = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)
    gaborone = zone("Africa/Gaborone")
    assert parse_when("in 45m", now, gaborone) == now + timedelta(minutes=45)
    assert parse_local("2026-11-02 12:00", gaborone) == datetime(2026, 11, 2, 10, tzinfo=UTC)
    for bad in ("", "45", "h", "0m", "400d"):
        with pytest.raises(TimeFormatError):
            parse_duration(bad)
    for bad_zone in ("Mars/Olympus", "../etc/passwd", "", "/abs"):
        with pytest.raises(TimeFormatError):
            zone(bad_zone)
    with pytest.raises(TimeFormatError, match="Did you mean Africa/Gaborone"):
        zone("africa/gaborone")
    for bad_clock in ("24:00", "8", "08:60"):
        with pytest.raises(TimeFormatError):
            parse_clock(bad_clock)
