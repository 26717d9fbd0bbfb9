"""The floor's pure rules: the order the list is heard in, what it refuses, a turn's times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.commands.floor import (
    AskFloor,
    CloseList,
    Discuss,
    EndDiscussion,
    GiveFloor,
    NextSpeaker,
    SetSpeakingTime,
    ShowFloor,
    WithdrawRequest,
    parse_floor,
)
from bot.commands.meeting import parse_meeting
from bot.commands.tokens import ShowHelp
from bot.domain.errors import Conflict, Duplicate, UsageError
from bot.domain.floor import (
    Floor,
    FloorRequest,
    RequestKind,
    check_request,
    in_order,
    parse_speaking_time,
    turn_times,
)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def request(id: int, delegation_id: int, kind: RequestKind) -> FloorRequest:
    return FloorRequest(id, delegation_id, f"D{delegation_id}", kind, "U1", NOW)


def floor(*queue: FloorRequest, closed: bool = False) -> Floor:
    return Floor(1, 1, 1, 4, "Diamonds", NOW, closed, None, in_order(queue))


def test_points_of_order_come_first_then_the_list_then_replies_each_in_commit_order() -> None:
    made = [
        request(1, 1, RequestKind.REPLY),
        request(2, 2, RequestKind.SPEAK),
        request(3, 3, RequestKind.ORDER),
        request(4, 4, RequestKind.SPEAK),
        request(5, 5, RequestKind.ORDER),
        request(6, 6, RequestKind.REPLY),
    ]
    assert [r.id for r in in_order(made)] == [3, 5, 2, 4, 1, 6]


def test_a_second_request_of_the_same_kind_is_refused_with_its_place() -> None:
    listed = floor(request(1, 7, RequestKind.SPEAK), request(2, 8, RequestKind.SPEAK))
    with pytest.raises(Duplicate, match="at place 2"):
        check_request(listed, 8, RequestKind.SPEAK, 0)
    check_request(listed, 8, RequestKind.ORDER, 0)  # a point of order is another request


def test_a_closed_list_takes_only_points_of_order_and_replies() -> None:
    closed = floor(closed=True)
    with pytest.raises(Conflict, match="closed"):
        check_request(closed, 1, RequestKind.SPEAK, 0)
    check_request(closed, 1, RequestKind.ORDER, 0)
    check_request(closed, 1, RequestKind.REPLY, 0)


def test_a_third_reply_on_an_item_is_refused() -> None:
    check_request(floor(), 1, RequestKind.REPLY, 1)
    with pytest.raises(Conflict, match="2 rights of reply"):
        check_request(floor(), 1, RequestKind.REPLY, 2)


def test_the_warning_falls_thirty_seconds_before_the_end_or_at_the_start() -> None:
    assert turn_times(NOW, None) == (None, None)
    assert turn_times(NOW, timedelta(minutes=3)) == (
        NOW + timedelta(seconds=150),
        NOW + timedelta(minutes=3),
    )
    assert turn_times(NOW, timedelta(seconds=30)) == (NOW, NOW + timedelta(seconds=30))


@pytest.mark.parametrize(
    ("text", "seconds"), [("3m", 180), ("90s", 90), ("2m30s", 150), ("60M", 3600)]
)
def test_a_speaking_time_reads_minutes_and_seconds(text: str, seconds: int) -> None:
    assert parse_speaking_time(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "3", "10s", "2h", "61m", "m", "3 m"])
def test_a_speaking_time_out_of_form_or_range_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="speaking time"):
        parse_speaking_time(text)


def test_floor_words_parse_to_their_requests() -> None:
    assert parse_floor("") == AskFloor(RequestKind.SPEAK)
    assert parse_floor(" ORDER ") == AskFloor(RequestKind.ORDER)
    assert parse_floor("reply") == AskFloor(RequestKind.REPLY)
    assert parse_floor("withdraw") == WithdrawRequest()
    assert parse_floor("list") == ShowFloor()
    assert parse_floor("help") == ShowHelp()
    with pytest.raises(UsageError, match="no subcommand"):
        parse_floor("please")


def test_meeting_floor_subcommands_parse_to_their_requests() -> None:
    assert parse_meeting("discuss #3") == Discuss(3)
    assert parse_meeting("discuss off") == EndDiscussion()
    assert parse_meeting("floor next") == NextSpeaker()
    assert parse_meeting("floor give Côte d'Ivoire") == GiveFloor("Côte d'Ivoire")
    assert parse_meeting("floor close") == CloseList(closed=True)
    assert parse_meeting("floor open") == CloseList(closed=False)
    assert parse_meeting("set speaking-time 90s") == SetSpeakingTime(timedelta(seconds=90))
    assert parse_meeting("set speaking-time off") == SetSpeakingTime(None)
    for wrong in ("discuss", "discuss 1 2", "floor", "floor next now", "set speaking-time 5h"):
        with pytest.raises(UsageError):
            parse_meeting(wrong)
