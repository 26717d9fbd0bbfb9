"""Arbitrary and hostile text in every slash command: always a clear private answer, never
a crash, never a half-written record, never a ping nobody meant to send."""

from __future__ import annotations

import itertools
import logging

import pytest
from hypothesis import example, given, strategies as st

from bot.commands.reference import COMMANDS
from bot.demo.rig import Rig
from tests.support.cast import CHAIR, CHANNEL, KPCSC, MALI, OUTSIDER, RUSSIA, UKRAINE
from tests.support.harness import ON_SQLITE_FILE, Harness
from tests.support.hostile_input import BOUNDED, VICTIM, hostile, mostly
from tests.support.safety_checks import assert_clear_command_answer
from tests.support.state import snapshot


def meeting_prefixes() -> list[str]:
    """Every /meeting subcommand, read from COMMANDS: its leading literal words."""
    prefixes = set()
    for doc in COMMANDS:
        words = doc.usage.split()
        if words[0] != "/meeting":
            continue
        literal = itertools.takewhile(lambda w: w.isalpha() and w.islower(), words[1:])
        prefixes.add(" ".join(literal))
    return sorted(prefixes)


# How each subcommand is used well, with "{}" where the hostile text goes, so that most
# examples get past parsing to the service, the record and the channel.
SHAPES: dict[str, tuple[str, ...]] = {
    "": ("{}",),
    "start": ("{}",),
    "chair add": ("{}", f"<@{VICTIM}|{{}}>", "<@U0NEWCHAIR|new>"),
    "delegation add": (
        "{}",
        "{} participant <@U0NEW|new>",
        f"{{}} observer <@{VICTIM}|v> <@U0NEW2>",
        "Mali participant <@U0NEW3> {}",
    ),
    "delegation remove": ("{}", "Mali", "  mALi  "),
    "delegations": ("", "{}"),
    "agenda": ("", "{}"),
    "set timezone": ("{}", "Asia/Tokyo", "America/Los_Angeles", "Pacific/Kiritimati"),
    "set window": ("{}", "24h", "off", "1h30m"),
    "set reminder": ("{}", "30", "1440"),
    "set digest": ("{}", "08:00", "off"),
    "session add": ("{}", "2026-11-05 10:00 {}", "2026-11-06 9:30 {}"),
    "session remove": ("{}", "1"),
    "sessions": ("", "{}"),
    "digest": ("", "{}"),
    "set rule": (
        "{}",
        "consensus",
        "consensus-minus 1",
        "blocking-minority 1/3",
        "blocking-minority {}",
        "vote 2/3 of {}",
        "consensus-then-vote {}",
        "majority 2/3",
    ),
    "set rule vote": ("{}", "2/3", "2/3 of {}", "1/2 of members"),
    "vote": ("{}", "1", "1 majority {}", "1 secret deadline: {}"),
    "vote close": ("{}", "1"),
    "vote cancel": ("{}", "1"),
    "set quorum": ("{}", "2", "off"),
    "present": ("", "{}"),
    "absent": ("", "{}"),
    "whatif": ("{}", "1", "#2"),
    "agenda propose": ("", "deadline: in 2h", "deadline: {}", "{}"),
    "record": ("", "{}"),
    "decide": ("{}", "1", "#2"),
    "withdraw": ("{}", "1", "#2"),
    "help": ("", "{}"),
    "discuss": ("{}", "1", "#1 {}", "off"),
    "floor next": ("", "{}"),
    "floor give": ("{}", "Mali", "  mALi  "),
    "floor": ("{}", "close", "open", "close {}"),
    "set": ("speaking-time {}", "speaking-time 3m", "speaking-time off", "{}"),
    "screen": ("", "rotate", "{}", "rotate {}"),
    "publish": ("on", "off", "rotate", "{}", "on {}"),
}


def test_every_meeting_subcommand_is_covered_by_the_bad_input_properties() -> None:
    assert set(SHAPES) == {"", *meeting_prefixes()}
    assert len(SHAPES) > 15


meeting_text = st.sampled_from(sorted(SHAPES)).flatmap(
    lambda prefix: st.tuples(st.just(prefix), st.sampled_from(SHAPES[prefix]), hostile)
)


@ON_SQLITE_FILE
@BOUNDED
@given(
    case=meeting_text,
    user=mostly(st.just(CHAIR), st.sampled_from([RUSSIA, KPCSC, OUTSIDER])),
)
@example(case=("start", "{}", f"<!channel> &lt;!here&gt; <@{VICTIM}|v> @everyone"), user=CHAIR)
@example(case=("delegation add", "{} participant <@U0NEW|n>", "&lt;!channel&gt;"), user=CHAIR)
def test_any_meeting_subcommand_with_any_text_gets_a_clear_private_answer_and_nothing_breaks(
    harness: Harness, caplog: pytest.LogCaptureFixture, case: tuple[str, str, str], user: str
) -> None:
    prefix, shape, rest = case
    # `start` is tried where no meeting is yet, so its title really gets stored and posted.
    channel = "C0FRESH" if prefix == "start" else CHANNEL
    text = f"{prefix} {shape.replace('{}', rest)}"
    reply, made = harness.attempt(
        caplog, harness.rig.command("/meeting", text, user=user, channel=channel)
    )
    assert_clear_command_answer(reply, "/meeting", made)


motion_options = st.lists(
    st.tuples(
        st.sampled_from(["deadline:", "session:", "cosponsors:", "amends:", "DEADLINE :"]),
        mostly(
            st.sampled_from(["in 2h", "2026-11-05 10:00", "1", "#2", "Mali, Russian Federation"]),
            hostile,
        ),
    ).map(" ".join),
    max_size=3,
).map(" ".join)


@ON_SQLITE_FILE
@BOUNDED
@given(
    text=hostile,
    options=motion_options,
    user=mostly(st.sampled_from([UKRAINE, KPCSC]), st.sampled_from([OUTSIDER, CHAIR])),
)
@example(text=f"<!channel> vote now <@{VICTIM}|v>", options="cosponsors: @here", user=UKRAINE)
def test_table_motion_with_any_text_and_options_gets_a_clear_answer_and_nothing_breaks(
    harness: Harness, caplog: pytest.LogCaptureFixture, text: str, options: str, user: str
) -> None:
    reply, made = harness.attempt(
        caplog, harness.rig.command("/table-motion", f"{text} {options}", user=user)
    )
    assert_clear_command_answer(reply, "/table-motion", made)


@ON_SQLITE_FILE
@BOUNDED
@given(
    prefix=st.sampled_from(
        ["", "1", "#1", "2", "withdraw", "withdraw 1", "1 reservation:", "2 Stand aside :", "help"]
    ),
    rest=hostile,
    user=mostly(st.sampled_from([RUSSIA, MALI, KPCSC]), st.sampled_from([OUTSIDER, CHAIR])),
)
def test_object_with_any_text_gets_a_clear_private_answer_and_nothing_breaks(
    harness: Harness, caplog: pytest.LogCaptureFixture, prefix: str, rest: str, user: str
) -> None:
    reply, made = harness.attempt(
        caplog, harness.rig.command("/object", f"{prefix} {rest}", user=user)
    )
    assert_clear_command_answer(reply, "/object", made)


@ON_SQLITE_FILE
@BOUNDED
@given(
    prefix=st.sampled_from(["", "order", "reply", "withdraw", "list", "help"]),
    rest=hostile,
    user=mostly(st.sampled_from([RUSSIA, MALI, KPCSC]), st.sampled_from([OUTSIDER, CHAIR])),
)
def test_floor_with_any_text_gets_a_clear_private_answer_and_nothing_breaks(
    harness: Harness, caplog: pytest.LogCaptureFixture, prefix: str, rest: str, user: str
) -> None:
    reply, made = harness.attempt(
        caplog, harness.rig.command("/floor", f"{prefix} {rest}", user=user)
    )
    assert_clear_command_answer(reply, "/floor", made)


@pytest.mark.parametrize(
    "setting", ["reminder ²", "reminder ¹⁵", "quorum ²", "rule consensus-minus ²"]
)
async def test_a_setting_written_in_superscript_digits_is_refused_clearly_not_a_crash(
    kasane: Rig, caplog: pytest.LogCaptureFixture, setting: str
) -> None:
    # "²".isdigit() is True but int("²") raises: only str.isdecimal() guards int().
    before = await snapshot(kasane)
    reply = await kasane.command("/meeting", f"set {setting}", user=CHAIR)
    assert "Reference:" not in reply.text
    assert "invalid literal" not in reply.text
    assert ":warning:" in reply.raw
    assert "Usage:" in reply.text
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert await snapshot(kasane) == before


async def test_a_mention_typed_as_literal_text_is_not_turned_into_a_mention_in_the_answer(
    kasane: Rig,
) -> None:
    # Slack sends what the user typed literally with &lt; and &gt;; only a real mention
    # arrives as <@U…|name>. The answer quotes the text, so it must stay text.
    for command, text in (
        ("/object", "&lt;@U0TYPED&gt; now"),
        ("/meeting", "delegation remove &lt;@U0TYPED&gt;"),
    ):
        reply = await kasane.command(command, text, user=CHAIR)
        assert ":warning:" in reply.raw
        assert "<@U0TYPED" not in reply.raw
