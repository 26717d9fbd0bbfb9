"""Rendering: every message fits Slack's limits, carries a text fallback, and escapes users."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.commands.motions import parse_object
from bot.commands.reference import usage_of
from bot.domain.errors import UsageError
from bot.domain.model import Decision, Delegation, Item, Meeting, Position
from bot.domain.rules import (
    CONSENSUS,
    MAX_DELEGATION_NAME,
    MAX_ITEM_TEXT,
    MAX_REASON,
    MAX_TITLE,
    ItemStatus,
    Outcome,
    PositionKind,
    Role,
)
from bot.render import answers, blocks, command_help, notices
from bot.render.blocks import MAX_BLOCKS, MAX_HEADER, MAX_SECTION, Message

NOW = datetime(2024, 6, 18, 7, 30, tzinfo=UTC)
ZONE = "Africa/Gaborone"
MAX_CONTEXT = 2000
MAX_TEXT = 3000
DATE_TOKEN = re.compile(r"<!date\^(\d+)\^\{date_short_pretty\} at \{time\}\|([^<>|]+)>")
# "&" grows five-fold when escaped, the worst case for every length limit.
WORST = "&"


def meeting(title: str = "KP Intersessional, Kasane") -> Meeting:
    return Meeting(
        id=1,
        team_id="T0KP",
        channel_id="C0KASANE",
        title=title,
        timezone=ZONE,
        rule=CONSENSUS,
        created_by="UCHAIR",
        created_at=NOW,
        chairs=("UCHAIR", "UDEPUTY"),
    )


def position(
    index: int,
    name: str,
    statement: str = "",
    *,
    kind: PositionKind = PositionKind.OBJECTION,
    role: Role = Role.PARTICIPANT,
) -> Position:
    return Position(index, name, role, kind, statement, f"U{index:04d}", NOW)


def item(
    number: int = 1,
    text: str = "Discuss whether rough diamonds fund the war in Ukraine",
    *,
    sponsor: str = "KP Civil Society Coalition",
    status: ItemStatus = ItemStatus.OPEN,
    positions: tuple[Position, ...] = (),
    deadline: datetime | None = None,
) -> Item:
    return Item(
        id=number,
        meeting_id=1,
        number=number,
        sponsor_id=1,
        sponsor=sponsor,
        text=text,
        status=status,
        tabled_by="UCSC",
        tabled_at=NOW,
        deadline=deadline,
        positions=positions,
    )


def decision(it: Item, *, decided_by: str = "UCHAIR", late: bool = False) -> Decision:
    return Decision(
        item_id=it.id,
        outcome=Outcome.BLOCKED if it.objections else Outcome.ADOPTED,
        rule=CONSENSUS,
        participants=max(54, len(it.objections)),
        objections=it.objections,
        decided_at=NOW + timedelta(days=1),
        decided_by=decided_by,
        late=late,
    )


def delegation(index: int, name: str, role: Role = Role.PARTICIPANT) -> Delegation:
    return Delegation(index, 1, name, role, tuple(f"U{index:04d}{m:02d}" for m in range(20)))


def text_objects(message: Message) -> Iterator[dict[str, Any]]:
    for block in message.blocks:
        if isinstance(block.get("text"), dict):
            yield block["text"]
        yield from block.get("elements", [])
        yield from block.get("fields", [])


def mrkdwn_texts(message: Message) -> list[str]:
    return [t["text"] for t in text_objects(message) if t["type"] == "mrkdwn"]


def assert_within_slack_limits(message: Message) -> None:
    assert message.text.strip(), "every message needs a plain text fallback"
    assert len(message.text) <= MAX_TEXT
    assert len(message.blocks) <= MAX_BLOCKS  # none: a short note is its mrkdwn text alone
    for block in message.blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= MAX_SECTION
        elif block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
            assert all(len(e["text"]) <= MAX_CONTEXT for e in block["elements"])
        elif block["type"] == "header":
            assert len(block["text"]["text"]) <= MAX_HEADER


# ---- the largest inputs the command limits allow --------------------------------------


def worst_objections(count: int) -> tuple[Position, ...]:
    return tuple(
        position(i, f"{i:03d}" + WORST * (MAX_DELEGATION_NAME - 3), WORST * MAX_REASON)
        for i in range(count)
    )


BIG_TEXT = WORST * MAX_ITEM_TEXT
LONG_LINES = "\n".join(["line"] * (MAX_ITEM_TEXT // 5))
BIG_OPEN = item(
    text=BIG_TEXT,
    sponsor=WORST * MAX_DELEGATION_NAME,
    positions=worst_objections(200),
    deadline=NOW + timedelta(hours=48),
)
BIG_BLOCKED = item(
    text=LONG_LINES,
    sponsor=WORST * MAX_DELEGATION_NAME,
    status=ItemStatus.BLOCKED,
    positions=worst_objections(200),
)
BIG_ADOPTED = item(text=BIG_TEXT, sponsor=WORST * MAX_DELEGATION_NAME, status=ItemStatus.ADOPTED)
BIG_MEETING = meeting(WORST * MAX_TITLE)
SOME_DELEGATIONS = [delegation(i, f"{i:03d}" + WORST * 77) for i in range(40)]
SOME_ITEMS = [
    item(i, BIG_TEXT, sponsor=WORST * MAX_DELEGATION_NAME, positions=worst_objections(3))
    for i in range(1, 41)
]

MESSAGES: dict[str, Callable[[], Message]] = {
    "meeting started": lambda: notices.meeting_started(BIG_MEETING),
    "open item card": lambda: notices.item_card(BIG_OPEN, BIG_MEETING, 200),
    "blocked item card": lambda: notices.item_card(BIG_BLOCKED, BIG_MEETING, 200),
    "adopted item card": lambda: notices.item_card(BIG_ADOPTED, BIG_MEETING, 200),
    "blocked notice": lambda: notices.blocked_notice(BIG_OPEN, BIG_MEETING, closed=False),
    "blocked notice, closed open": lambda: notices.blocked_notice(
        BIG_OPEN, BIG_MEETING, closed=True
    ),
    "blocked notice, closed decided": lambda: notices.blocked_notice(
        BIG_BLOCKED, BIG_MEETING, closed=True
    ),
    "unblocked notice": lambda: notices.unblocked_notice(BIG_OPEN, BIG_MEETING),
    "outcome, blocked": lambda: notices.outcome_notice(
        BIG_BLOCKED, decision(BIG_BLOCKED, late=True), BIG_MEETING
    ),
    "outcome, adopted": lambda: notices.outcome_notice(
        BIG_ADOPTED, decision(BIG_ADOPTED, decided_by="deadline"), BIG_MEETING
    ),
    "error": lambda: answers.error(UsageError("x" * 5000, usage=usage_of("/meeting"))),
    "internal error": lambda: answers.internal_error("req-0123456789abcdef"),
    "note": lambda: blocks.note("Done."),
    "tabled receipt": lambda: answers.tabled_receipt(BIG_OPEN),
    "delegations": lambda: answers.delegations(BIG_MEETING, SOME_DELEGATIONS),
    "no delegations": lambda: answers.delegations(BIG_MEETING, []),
    "agenda": lambda: answers.agenda(BIG_MEETING, SOME_ITEMS),
    "empty agenda": lambda: answers.agenda(BIG_MEETING, []),
    "help, no meeting": lambda: command_help.help_text(None, None, "U1"),
    "help, chair in a participant delegation": lambda: command_help.help_text(
        BIG_MEETING, SOME_DELEGATIONS[0], "UCHAIR"
    ),
    "help, observer": lambda: command_help.help_text(
        BIG_MEETING, delegation(1, "KP Civil Society Coalition", Role.OBSERVER), "U1"
    ),
    "help, outsider": lambda: command_help.help_text(BIG_MEETING, None, "U1"),
}


@pytest.mark.parametrize("build", MESSAGES.values(), ids=MESSAGES.keys())
def test_every_message_stays_within_slacks_limits_at_the_largest_inputs(
    build: Callable[[], Message],
) -> None:
    assert_within_slack_limits(build())


def test_an_ephemeral_answer_carries_text_and_blocks() -> None:
    message = blocks.note("Recorded.")
    assert message.as_ack() == {
        "response_type": "ephemeral",
        "text": "Recorded.",
        "blocks": message.blocks,
    }


# ---- pack ------------------------------------------------------------------------------


def test_pack_puts_lines_that_fit_into_one_section() -> None:
    lines = [f"• line {i}" for i in range(10)]
    packed = [b.to_dict() for b in blocks.pack(lines, max_blocks=5)]
    assert packed == [{"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}]


def test_pack_counts_every_line_it_leaves_out() -> None:
    lines = [f"{i:04d}" + "x" * 996 for i in range(100)]  # two lines to a section
    packed = [b.to_dict() for b in blocks.pack(lines, max_blocks=5)]
    shown = sum(len(b["text"]["text"].splitlines()) for b in packed if b["type"] == "section")
    more = packed[-1]["elements"][0]["text"]
    assert more == f"…and {100 - shown} more."


def test_pack_cuts_a_line_longer_than_a_section() -> None:
    packed = [b.to_dict() for b in blocks.pack(["y" * 5000], max_blocks=2)]
    assert len(packed) == 1
    assert packed[0]["text"]["text"] == "y" * (MAX_SECTION - 1) + "…"


# ---- user text is escaped --------------------------------------------------------------

HOSTILE = "<!channel> <!here|here> <!everyone> <@UEVIL|evil> <!subteam^S1|@team> @channel @here"
FORBIDDEN = ("<!channel", "<!here", "<!everyone", "<@UEVIL", "<!subteam")
BROADCAST_WORD = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def hostile_messages() -> dict[str, Message]:
    hostile_meeting = meeting(HOSTILE[:MAX_TITLE])
    objections = (
        position(1, "<!here> Mali", HOSTILE),
        position(2, "@everyone Belarus", HOSTILE),
    )
    open_item = item(text=HOSTILE, sponsor=HOSTILE[:60], positions=objections)
    blocked = item(
        text=HOSTILE, sponsor="<!channel>", status=ItemStatus.BLOCKED, positions=objections
    )
    adopted = item(text=HOSTILE, sponsor="<!channel>", status=ItemStatus.ADOPTED)
    member = delegation(1, "<!channel> Coalition", Role.OBSERVER)
    return {
        "meeting started": notices.meeting_started(hostile_meeting),
        "item card": notices.item_card(open_item, hostile_meeting, 4),
        "blocked notice": notices.blocked_notice(open_item, hostile_meeting, closed=False),
        "blocked notice, closed": notices.blocked_notice(blocked, hostile_meeting, closed=True),
        "unblocked notice": notices.unblocked_notice(open_item, hostile_meeting),
        "outcome, blocked": notices.outcome_notice(blocked, decision(blocked), hostile_meeting),
        "outcome, adopted": notices.outcome_notice(adopted, decision(adopted), hostile_meeting),
        "tabled receipt": answers.tabled_receipt(open_item),
        "delegations": answers.delegations(hostile_meeting, [member]),
        "agenda": answers.agenda(hostile_meeting, [open_item, blocked, adopted]),
        "help": command_help.help_text(hostile_meeting, member, "U1"),
    }


def test_user_text_never_reaches_mrkdwn_as_a_mention_or_broadcast() -> None:
    for name, message in hostile_messages().items():
        for text in mrkdwn_texts(message):
            assert not [f for f in FORBIDDEN if f in text], (name, text)
            assert BROADCAST_WORD.search(text) is None, (name, text)


def test_the_text_fallback_never_carries_a_mention_or_broadcast_from_user_text() -> None:
    # The fallback is posted beside the blocks and parsed as mrkdwn too.
    leaks = {
        name: message.text
        for name, message in hostile_messages().items()
        if [f for f in FORBIDDEN if f in message.text] or BROADCAST_WORD.search(message.text)
    }
    assert leaks == {}


def test_bot_mentions_of_chairs_still_reach_mrkdwn() -> None:
    message = notices.meeting_started(meeting())
    assert any("<@UCHAIR>" in text for text in mrkdwn_texts(message))


# ---- dates ------------------------------------------------------------------------------


def test_a_date_shows_in_each_readers_zone_and_falls_back_to_the_meetings_zone() -> None:
    assert blocks.when(NOW, ZONE) == (
        "<!date^1718695800^{date_short_pretty} at {time}|2024-06-18 09:30 Africa/Gaborone>"
    )


@pytest.mark.parametrize(
    ("moment", "fallback"),
    [
        (datetime(2024, 1, 15, 12, tzinfo=UTC), "2024-01-15 13:00 Europe/Brussels"),
        (datetime(2024, 7, 15, 12, tzinfo=UTC), "2024-07-15 14:00 Europe/Brussels"),
    ],
)
def test_a_dates_fallback_follows_daylight_saving_in_the_meetings_zone(
    moment: datetime, fallback: str
) -> None:
    match = DATE_TOKEN.fullmatch(blocks.when(moment, "Europe/Brussels"))
    assert match is not None
    assert int(match.group(1)) == int(moment.timestamp())
    assert match.group(2) == fallback


def test_the_same_instant_renders_the_same_whatever_zone_it_was_held_in() -> None:
    in_tokyo = NOW.astimezone(ZoneInfo("Asia/Tokyo"))
    assert blocks.when(in_tokyo, ZONE) == blocks.when(NOW, ZONE)


def test_an_item_card_shows_its_deadline_as_a_date_token() -> None:
    deadline = NOW + timedelta(hours=48)
    card = notices.item_card(item(deadline=deadline), meeting(), 4)
    assert any(blocks.when(deadline, ZONE) in text for text in mrkdwn_texts(card))
    assert DATE_TOKEN.search(" ".join(mrkdwn_texts(card)))


def test_an_outcome_shows_when_it_was_decided_and_by_which_rule() -> None:
    blocked = item(
        status=ItemStatus.BLOCKED,
        positions=(position(1, "Russia", "Not on the agenda"), position(2, "Mali")),
    )
    message = notices.outcome_notice(blocked, decision(blocked), meeting())
    body = "\n".join(mrkdwn_texts(message))
    assert "Under consensus, 2 of 54 participant delegations objected" in body
    assert "*Russia*: Not on the agenda" in body
    assert "*Mali* (no reason given)" in body
    assert blocks.when(NOW + timedelta(days=1), ZONE) in body
    assert message.text == ("#1 blocked and excised from the agenda; objecting: Russia, Mali.")


def test_an_item_card_counts_only_participant_objections() -> None:
    positions = (
        position(1, "Russia", "Outside the mandate"),
        position(2, "KP Civil Society Coalition", "We object", role=Role.OBSERVER),
        position(3, "Ukraine", "Co-sponsor", kind=PositionKind.SUPPORT),
    )
    card = notices.item_card(item(positions=positions), meeting(), 4)
    body = "\n".join(mrkdwn_texts(card))
    assert "open, provisionally blocked by 1" in body
    assert "Russia" in body
    assert "We object" not in body


# ---- known bugs -------------------------------------------------------------------------
# blocks.pack may return max_blocks + 1 blocks: when the last allowed section is full it
# appends that section *and* the "…and N more" context. Agenda and delegation lists then
# reach 51 blocks, which Slack rejects with invalid_blocks.


def test_pack_never_returns_more_blocks_than_its_maximum() -> None:
    lines = ["x" * 2000] * 10  # one line to a section
    assert len(blocks.pack(lines, max_blocks=3)) <= 3


def test_an_agenda_of_2000_items_stays_within_slacks_limits() -> None:
    items = [item(i, BIG_TEXT, positions=worst_objections(3)) for i in range(1, 2001)]
    assert_within_slack_limits(answers.agenda(BIG_MEETING, items))


def test_a_list_of_2000_delegations_stays_within_slacks_limits() -> None:
    many = [delegation(i, f"{i:04d}" + WORST * 76) for i in range(2000)]
    assert_within_slack_limits(answers.delegations(BIG_MEETING, many))


# Parsers and services quote the user's words into error messages, which answers.error puts
# into mrkdwn unescaped. The answer is ephemeral, so no one is notified, but the user sees a
# live @here and a mention where they typed literal text.


def test_an_error_answer_never_carries_a_mention_from_what_the_user_typed() -> None:
    with pytest.raises(UsageError) as caught:
        parse_object("&lt;!here&gt; &lt;@UEVIL&gt;")
    message = answers.error(caught.value)
    for text in [message.text, *mrkdwn_texts(message)]:
        assert not [f for f in FORBIDDEN if f in text], text
