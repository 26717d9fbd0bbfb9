"""Arbitrary and hostile text through every door: always a clear private answer, never a crash,
never a half-written record, never a limit overrun, never a ping nobody meant to send.

Hypothesis drives synchronous tests; each test owns one event loop on which one rig (the real
app over HTTP, the fake Slack, a SQLite file) is started once and every example is run.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Coroutine, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings, strategies as st

from bot.commands.payloads import Action, Form, ItemRef, MeetingRef
from bot.commands.reference import COMMANDS
from bot.demo.fake_slack.server import ApiCall
from bot.demo.rig import Reply, Rig
from tests.support.answers import expect_ok
from tests.support.cast import CHAIR, KPCSC, MALI, OUTSIDER, RUSSIA, START, UKRAINE

T = TypeVar("T")

CHANNEL = "C0MEETING"
OTHER_TEAM = "T0OTHER"
VICTIM = "U0VICTIM"
IVORY = "U0CI"
NEWCOMER = "U0NEW"

# ---- what the bot must never send ---------------------------------------------------------

UNEXPECTED = "Plenary hit an unexpected problem"  # the answer of handlers/errors.py to a crash

BROADCASTS = ("<!channel>", "<!here>", "<!everyone>", "<!subteam")
BARE_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)  # no word joiner
POSTING = frozenset(
    {
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "views.publish",
        "views.open",
        "views.update",
        "views.push",
        "files.completeUploadExternal",
    }
)


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from strings_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings_in(inner)


def pings(texts: Iterable[str], *, users: bool) -> list[str]:
    """Every broadcast (and, with ``users``, every mention of the victim) in ``texts``."""
    found = []
    for text in texts:
        tokens = (*BROADCASTS, f"<@{VICTIM}") if users else BROADCASTS
        found += [token for token in tokens if token in text]
        found += [m.group(0) for m in BARE_BROADCAST.finditer(text)]
    return found


def assert_posts_are_safe(calls: list[ApiCall]) -> None:
    for call in calls:
        if call.method not in POSTING:
            continue
        assert call.response.get("ok") is True, (call.method, call.response)
        shown = [call.params.get(key) for key in ("text", "blocks", "view", "initial_comment")]
        assert pings(strings_in(shown), users=True) == [], call.method


def assert_answer_pings_nobody(payload: Any) -> None:
    # A private answer may name users the bot resolved itself (a new chair, new members),
    # but never broadcasts.
    assert pings(strings_in(payload), users=False) == []


# ---- the record stays whole ---------------------------------------------------------------

ZERO_ROWS = {
    "an item without its card notice": """
        SELECT count(*) FROM items i WHERE NOT EXISTS
            (SELECT 1 FROM notices n WHERE n.item_id = i.id AND n.kind = 'item-card')""",
    "a position without its item": """
        SELECT count(*) FROM positions WHERE item_id NOT IN (SELECT id FROM items)""",
    "a position of another meeting's delegation": """
        SELECT count(*) FROM positions p JOIN items i ON i.id = p.item_id
            JOIN delegations d ON d.id = p.delegation_id WHERE d.meeting_id != i.meeting_id""",
    "a member of another meeting's delegation": """
        SELECT count(*) FROM members m JOIN delegations d ON d.id = m.delegation_id
            WHERE d.meeting_id != m.meeting_id""",
    "a decided item without its decision": """
        SELECT count(*) FROM items WHERE status IN ('adopted', 'blocked')
            AND id NOT IN (SELECT item_id FROM decisions)""",
    "a decision on an undecided item": """
        SELECT count(*) FROM decisions d JOIN items i ON i.id = d.item_id
            WHERE i.status NOT IN ('adopted', 'blocked')""",
    "a withdrawn item without its notice": """
        SELECT count(*) FROM items i WHERE i.status = 'withdrawn' AND NOT EXISTS
            (SELECT 1 FROM notices n WHERE n.item_id = i.id AND n.kind = 'withdrawn')""",
    "a meeting without a chair": """
        SELECT count(*) FROM meetings WHERE id NOT IN (SELECT meeting_id FROM chairs)""",
    "a meeting without its start notice": """
        SELECT count(*) FROM meetings m WHERE NOT EXISTS
            (SELECT 1 FROM notices n WHERE n.meeting_id = m.id AND n.kind = 'meeting-started')""",
    "a gap or clash in item numbers": """
        SELECT count(*) FROM meetings m WHERE next_item_number - 1 !=
            (SELECT count(DISTINCT number) FROM items WHERE meeting_id = m.id)
            OR next_item_number - 1 !=
            (SELECT coalesce(max(number), 0) FROM items WHERE meeting_id = m.id)""",
    "a notice Slack refused or that is still owed": """
        SELECT count(*) FROM notices
            WHERE delivered_revision < revision OR last_error IS NOT NULL""",
    "a motion longer than 2,000 characters": "SELECT count(*) FROM items WHERE length(text) > 2000",
    "a motion title longer than 150": "SELECT count(*) FROM items WHERE length(title) > 150",
    "a reason or statement longer than 500": """
        SELECT count(*) FROM positions WHERE length(statement) > 500""",
    "a delegation name longer than 80": "SELECT count(*) FROM delegations WHERE length(name) > 80",
    "two delegations of one name in a meeting": """
        SELECT count(*) FROM (SELECT 1 FROM delegations GROUP BY meeting_id, name_key
            HAVING count(*) > 1)""",
    "a meeting title longer than 150": "SELECT count(*) FROM meetings WHERE length(title) > 150",
    "a session title longer than 150": "SELECT count(*) FROM sessions WHERE length(title) > 150",
}


def flaws(database: Path) -> dict[str, int]:
    """How many rows show each flaw; integrity and foreign keys are checked outright."""
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        return {what: int(conn.execute(sql).fetchone()[0]) for what, sql in ZERO_ROWS.items()}


# ---- hostile text -------------------------------------------------------------------------

PIECES = (
    "'); DROP TABLE items;--",
    "Robert'); DELETE FROM positions WHERE ('1'='1",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "&lt;!everyone&gt;",
    "&lt;!channel&gt;",
    "<!subteam^S0VICTIM|@delegates>",
    f"<@{VICTIM}|v>",
    f"<@{VICTIM}>",
    "@channel",
    "@here",
    "@EVERYONE!",
    "<https://evil.example|@here>",
    "<!date^1700000000^{date}|@everyone>",
    "<#C0OTHER|general>",
    '"\'«»„“”‘’`"\'nested "\'quotes\' "in" quotes\'"',
    "\x00",
    "\x07\x1b[31m\x7f",
    "\r\n",
    "\t",
    "\u200f\u202eRTL\u202c",
    "\u2066isolate\u2069",
    "\u2060",
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "🇧🇼",
    "Côte d'Ivoire",
    "Türkiye",
    "e\u0301",
    "ﷺ",
    "²",
    "٣",
    "*bold* _it_ ~strike~ `code` ```block```",
    "> quoted",
    "&amp;",
    "&",
    "<",
    ">",
    "%00",
    "#1",
    "1",
    "#0",
    "999999",
    "help",
    "withdraw",
    "reservation:",
    "stand-aside:",
    "deadline:",
    "session:",
    "cosponsors:",
    "participant",
    "observer",
    "in 2h",
    "2026-11-05 10:00",
    "9999-12-31 23:59",
    "0001-01-01 00:00",
    "Africa/Gaborone",
)


def mostly(usual: st.SearchStrategy[T], odd: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """Three times in four ``usual``: most examples get past the first check to the next."""
    return st.tuples(st.integers(0, 3), usual, odd).map(lambda t: t[1] if t[0] else t[2])


class Shown(str):
    """A long text that a failure report shows as the expression that built it."""

    expression: str

    def __new__(cls, value: str, expression: str) -> Shown:
        shown = super().__new__(cls, value)
        shown.expression = expression
        return shown

    def __repr__(self) -> str:
        return self.expression


def repeated(unit: str, size: int) -> Shown:
    expression = f"{unit!r} * {size}" if len(unit) == 1 else f"({unit!r} * {size})[:{size}]"
    return Shown((unit * (size // len(unit) + 1))[:size], expression)


def joined(short: str, long: Shown) -> Shown:
    return Shown(f"{short} {long}", f"{short!r} + ' ' + {long!r}")


long_text = st.builds(
    repeated,
    st.sampled_from(["x", "é", "👨‍👩‍👧‍👦", "<!channel> ", "'); DROP TABLE items;--", "\x00"]),
    st.sampled_from([10_000, 2001, 2000, 501, 500, 151, 81]),
)
short_text = st.tuples(
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=24)), max_size=6),
    st.sampled_from([" ", "", "\n", " \t "]),
).map(lambda parts: parts[1].join(parts[0]))
hostile = st.one_of(
    short_text,
    long_text,
    st.builds(joined, short_text, long_text),
)

BOUNDED = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,  # the same examples on every run: a red test stays red until fixed
    database=None,
    # No shrinking: every request goes through HTTP and SQLite, so shrinking a failure would
    # cost many seconds, and examples built from named pieces already read plainly.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# ---- one rig on one loop, for every example of a test -------------------------------------


class Harness:
    """Runs each example's requests on the test's own loop, against one running rig."""

    def __init__(self, loop: asyncio.AbstractEventLoop, rig: Rig) -> None:
        self.loop = loop
        self.rig = rig
        self.serial = itertools.count(1)
        assert flaws(rig.database) == dict.fromkeys(ZERO_ROWS, 0)
        self._snapshot = sqlite3.connect(":memory:")
        with sqlite3.connect(rig.database) as live:
            live.backup(self._snapshot)

    def reset(self) -> None:
        """Put the record back as it was before the first example, so every example starts
        from the same meeting and a failure replays exactly (the bot keeps no state of its
        own between requests: the database is the source of truth)."""
        with sqlite3.connect(self.rig.database) as live:
            self._snapshot.backup(live)

    def close(self) -> None:
        self._snapshot.close()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(work)

    def attempt(
        self, caplog: pytest.LogCaptureFixture, work: Coroutine[Any, Any, Reply]
    ) -> tuple[Reply, list[ApiCall]]:
        """Run one request; then nothing crashed, the record is whole, nobody was pinged."""
        self.reset()
        return self._checked(caplog, work)

    def attempt_in_turn(
        self, caplog: pytest.LogCaptureFixture, requests: Iterable[tuple[str, str, str]]
    ) -> list[Reply]:
        """Run (command, text, user) requests one after the other on one record, each
        checked as ``attempt`` checks a single one."""
        self.reset()
        return [
            self._checked(caplog, self.rig.command(command, text, user=user))[0]
            for command, text, user in requests
        ]

    def _checked(
        self, caplog: pytest.LogCaptureFixture, work: Coroutine[Any, Any, Reply]
    ) -> tuple[Reply, list[ApiCall]]:
        calls = len(self.rig.slack.calls)
        logged = len(caplog.records)
        reply = self.run(work)
        self.run(self.rig.settle())
        made = self.rig.slack.calls[calls:]
        failures = [
            f"{r.getMessage()}: {r.exc_info[1]!r}" if r.exc_info else r.getMessage()
            for r in caplog.records[logged:]
            if r.levelno >= logging.ERROR
        ]
        assert failures == []
        assert reply.status == 200, reply.raw
        assert UNEXPECTED not in reply.raw, reply.raw
        assert "Reference:" not in reply.raw
        assert_posts_are_safe(made)
        found = {what for what, n in flaws(self.rig.database).items() if n}
        assert found == set()
        return reply, made


async def convene(rig: Rig) -> None:
    await expect_ok(rig, "/meeting", "start KP Intersessional, Kasane", user=CHAIR)
    await expect_ok(rig, "/meeting", "set timezone Africa/Gaborone", user=CHAIR)
    for text in (
        f"delegation add Russian Federation participant <@{RUSSIA}|ru>",
        f"delegation add Mali participant <@{MALI}|mali>",
        f"delegation add Ukraine participant <@{UKRAINE}|ua>",
        f"delegation add Côte d'Ivoire participant <@{IVORY}|ci>",
        f"delegation add KP Civil Society Coalition observer <@{KPCSC}|kpcsc>",
        "session add 2026-11-05 09:00 Plenary II",
    ):
        await expect_ok(rig, "/meeting", text, user=CHAIR)
    await expect_ok(rig, "/table-motion", "Adopt the agenda", user=UKRAINE)
    await expect_ok(rig, "/table-motion", "Discuss Russian diamonds", user=KPCSC)
    await expect_ok(rig, "/object", "1 Outside the mandate", user=RUSSIA)
    await expect_ok(rig, "/object", "2 reservation: We read it narrowly", user=UKRAINE)
    for serial, user in enumerate((CHAIR, RUSSIA)):
        home = {"type": "app_home_opened", "user": user, "channel": "D0", "tab": "home"}
        reply = await rig.send(rig.signer.event(home, event_id=f"EvHome{serial}"))
        assert reply.status == 200
    await rig.settle()


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    loop = asyncio.new_event_loop()
    rig = Rig(tmp_path / "plenary.sqlite3", START)
    try:
        loop.run_until_complete(rig.start())
        loop.run_until_complete(convene(rig))
        harness = Harness(loop, rig)
        try:
            yield harness
        finally:
            harness.close()
    finally:
        try:
            loop.run_until_complete(rig.stop())
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()


# Python's own words leaking into an answer: an exception's text shown instead of a sentence.
PYTHON_SPEAKING = ("invalid literal for", "Traceback", "object has no attribute", "NoneType")


def assert_clear_command_answer(reply: Reply, command: str, made: list[ApiCall]) -> None:
    if reply.raw == "":
        # Only /table-motion without text answers by opening its form instead.
        assert command == "/table-motion"
        assert [c.params["view"]["callback_id"] for c in made if c.method == "views.open"] == [
            Form.TABLING
        ]
        return
    assert reply.ephemeral
    assert reply.text.strip()
    assert not [words for words in PYTHON_SPEAKING if words in reply.text], reply.text
    assert_answer_pings_nobody(reply.json)


# ---- commands -----------------------------------------------------------------------------


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
    "set rule": ("{}", "consensus", "consensus-minus 1", "majority 2/3", "majority {}"),
    "set quorum": ("{}", "2", "off"),
    "present": ("", "{}"),
    "absent": ("", "{}"),
    "whatif": ("{}", "1", "#2"),
    "agenda propose": ("", "deadline: in 2h", "deadline: {}", "{}"),
    "record": ("", "{}"),
    "decide": ("{}", "1", "#2"),
    "withdraw": ("{}", "1", "#2"),
    "help": ("", "{}"),
}


def test_every_meeting_subcommand_is_covered_by_the_bad_input_properties() -> None:
    assert set(SHAPES) == {"", *meeting_prefixes()}
    assert len(SHAPES) > 15


meeting_text = st.sampled_from(sorted(SHAPES)).flatmap(
    lambda prefix: st.tuples(st.just(prefix), st.sampled_from(SHAPES[prefix]), hostile)
)


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


# ---- names, however they are spelled ------------------------------------------------------

NAMES = ("Mali", "Côte d'Ivoire", "Russian Federation", "KP Civil Society Coalition", "Atlantis")
SPELLINGS: tuple[Callable[[str], str], ...] = (
    str.upper,
    str.lower,
    str.swapcase,
    lambda n: unicodedata.normalize("NFD", n),
    lambda n: "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in n),  # fullwidth
    lambda n: f"  {n.replace(' ', '   ')} ",
    lambda n: n.replace(" ", "\t"),
)
spelling = st.tuples(st.sampled_from(NAMES), st.lists(st.sampled_from(SPELLINGS), max_size=2)).map(
    lambda t: functools.reduce(lambda name, spell: spell(name), t[1], t[0])
)
name_list = st.lists(spelling, min_size=1, max_size=4).flatmap(
    lambda names: st.sampled_from([", ", ",", " , "]).map(lambda comma: comma.join(names))
)
someone = st.sampled_from([MALI, UKRAINE, IVORY, NEWCOMER, KPCSC])
named_request = st.one_of(
    st.tuples(st.just("/table-motion"), name_list.map("Text cosponsors: {}".format), someone),
    st.tuples(
        st.just("/table-motion"),
        st.tuples(
            st.sampled_from(["deadline:", "session:", "cosponsors:", "amends:"]),
            st.sampled_from(["see annex", "", "1", "in 2h", "Mali, mali", "#x"]),
            st.sampled_from(["", " cosponsors: Mali", " deadline: in 1h", " session: 1"]),
        ).map(lambda t: f"Extend the {t[0]} {t[1]}{t[2]}"),
        someone,
    ),
    st.tuples(
        st.just("/meeting"),
        st.tuples(
            spelling,
            st.sampled_from(["participant", "observer"]),
            st.sampled_from(
                [
                    f"<@{NEWCOMER}>",
                    f"<@{NEWCOMER}|n> <@{NEWCOMER}>",
                    f"<@{MALI}|mali>",
                    f"<@{IVORY}> <@{IVORY}|ci>",
                ]
            ),
        ).map(lambda t: f"delegation add {t[0]} {t[1]} {t[2]}"),
        st.just(CHAIR),
    ),
    st.tuples(st.just("/meeting"), spelling.map("delegation remove {}".format), st.just(CHAIR)),
    st.tuples(
        st.just("/meeting"),
        st.sampled_from(["withdraw 1", "withdraw 2", "withdraw 3", "present", "decide 1"]),
        st.sampled_from([MALI, UKRAINE, IVORY, NEWCOMER, CHAIR]),
    ),
    st.tuples(
        st.just("/object"),
        st.sampled_from(["1 No", "2 reservation: Narrowly", "3 No", "withdraw 1"]),
        someone,
    ),
)


@settings(BOUNDED, max_examples=50)
@given(requests=st.lists(named_request, min_size=1, max_size=5))
@example(requests=[("/table-motion", "Text cosponsors: Mali, mali", UKRAINE)])
@example(requests=[("/table-motion", "Text cosponsors: côte d'ivoire, CÔTE D'IVOIRE", MALI)])
@example(
    requests=[
        ("/meeting", "delegation remove Mali", CHAIR),
        ("/meeting", f"delegation add mali participant <@{MALI}>", CHAIR),
        ("/meeting", "withdraw 1", MALI),
    ]
)
def test_names_in_any_spelling_through_any_command_never_get_the_unexpected_problem_answer(
    harness: Harness, caplog: pytest.LogCaptureFixture, requests: list[tuple[str, str, str]]
) -> None:
    for (command, _, _), reply in zip(
        requests, harness.attempt_in_turn(caplog, requests), strict=True
    ):
        assert_clear_command_answer(reply, command, [])


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


# ---- forms --------------------------------------------------------------------------------

FORM_BLOCKS = {
    Form.OBJECTION: {"reason"},
    Form.POSITION: {"kind", "statement"},
    Form.TABLING: {"title", "text", "deadline_date", "deadline_time", "cosponsors", "session"},
}

ITEM_REFS = [ItemRef(1, 1).pack(), ItemRef(1, 2).pack()]
FORGED_REFS = [
    ItemRef(1, 99).pack(),
    ItemRef(99, 1).pack(),
    MeetingRef(99).pack(),
    "i1:1:1\x00",
    "i1:1:1" + "0" * 2000,
]
maybe = mostly(hostile, st.none())
odd_option = st.one_of(st.sampled_from(["4", "99", "²", "reservation", ""]), hostile)


def form_metadata(form: Form) -> st.SearchStrategy[str]:
    own = [MeetingRef(1).pack()] if form is Form.TABLING else ITEM_REFS
    return mostly(st.sampled_from(own), st.one_of(st.sampled_from(FORGED_REFS), hostile))


def submission_fields(form: Form) -> st.SearchStrategy[dict[str, dict[str, Any]]]:
    if form is Form.OBJECTION:
        return st.fixed_dictionaries({"reason": st.fixed_dictionaries({"value": maybe})})
    if form is Form.POSITION:
        chosen = mostly(
            st.sampled_from(["reservation", "stand-aside"]),
            st.sampled_from(["objection", "support", "<!channel>", "", None]),
        )
        return st.fixed_dictionaries(
            {
                "kind": chosen.map(
                    lambda v: {"selected_option": None if v is None else {"value": v}}
                ),
                "statement": st.fixed_dictionaries({"value": maybe}),
            }
        )
    odd_day = st.one_of(st.sampled_from(["2026-10-01", "0001-01-01", "9999-12-31"]), hostile)
    odd_clock = st.one_of(st.sampled_from(["00:00", "25:61", "9:5"]), hostile)
    deadline = mostly(
        st.sampled_from([(None, None), (None, None), ("2026-11-05", "09:00")]),
        st.tuples(st.one_of(st.none(), odd_day), st.one_of(st.none(), odd_clock)),
    )
    choice = st.fixed_dictionaries({"value": mostly(st.sampled_from(["1", "2", "3"]), odd_option)})
    return st.tuples(
        maybe,
        maybe,
        deadline,
        mostly(st.lists(choice, max_size=0), st.lists(choice, max_size=3)),
        mostly(st.none(), choice),
    ).map(
        lambda t: {
            "title": {"value": t[0]},
            "text": {"value": t[1]},
            "deadline_date": {"selected_date": t[2][0]},
            "deadline_time": {"selected_time": t[2][1]},
            "cosponsors": {"selected_options": t[3]},
            "session": {"selected_option": t[4]},
        }
    )


async def submit(
    rig: Rig,
    user: str,
    form: Form,
    fields: dict[str, dict[str, Any]],
    private_metadata: str,
    team: str | None = None,
) -> Reply:
    state = {block: {block: element} for block, element in fields.items()}
    return await rig.send(
        rig.signer.view_submission(
            user_id=user,
            callback_id=form,
            values=state,
            private_metadata=private_metadata,
            team_id=team,
        )
    )


def check_form_answer(reply: Reply, form: Form) -> None:
    """Slack accepts only an empty body or field errors keyed by the form's own blocks."""
    if reply.raw == "":
        return
    answer = reply.json
    assert set(answer) == {"response_action", "errors"}, reply.raw[:300]
    assert answer["response_action"] == "errors"
    assert answer["errors"]
    assert set(answer["errors"]) <= FORM_BLOCKS[form]
    # Field errors are plain text under the input, never parsed for mentions.
    for message in answer["errors"].values():
        assert isinstance(message, str)
        assert message.strip()


@pytest.mark.parametrize("form", list(Form))
@BOUNDED
@given(
    user=mostly(st.sampled_from([RUSSIA, UKRAINE, KPCSC]), st.just(OUTSIDER)),
    team=mostly(st.none(), st.just(OTHER_TEAM)),
    data=st.data(),
)
def test_every_form_with_any_fields_and_metadata_answers_on_the_form_and_nothing_breaks(
    harness: Harness,
    caplog: pytest.LogCaptureFixture,
    form: Form,
    user: str,
    team: str | None,
    data: st.DataObject,
) -> None:
    private_metadata = data.draw(form_metadata(form), label="private_metadata")
    fields = data.draw(submission_fields(form), label="fields")
    reply, _ = harness.attempt(
        caplog, submit(harness.rig, user, form, fields, private_metadata, team)
    )
    check_form_answer(reply, form)


# ---- buttons ------------------------------------------------------------------------------


def button_value(action: Action) -> st.SearchStrategy[str]:
    own = [MeetingRef(1).pack()] if action is Action.TABLE else ITEM_REFS
    odd = st.sampled_from([*FORGED_REFS, "i1:١:١", "m1:1\n", *ITEM_REFS, MeetingRef(1).pack()])
    return mostly(st.sampled_from(own), st.one_of(odd, hostile))


@BOUNDED
@given(
    action=st.sampled_from(list(Action)),
    user=mostly(st.sampled_from([RUSSIA, KPCSC, CHAIR]), st.just(OUTSIDER)),
    where=mostly(
        st.just((CHANNEL, None)),
        st.sampled_from([("C0ELSEWHERE", None), (CHANNEL, OTHER_TEAM)]),
    ),
    data=st.data(),
)
def test_every_button_with_any_value_answers_the_presser_privately_and_nothing_breaks(
    harness: Harness,
    caplog: pytest.LogCaptureFixture,
    action: Action,
    user: str,
    where: tuple[str, str | None],
    data: st.DataObject,
) -> None:
    value = data.draw(button_value(action), label="value")
    key = f"press-{next(harness.serial)}"
    channel, team = where
    request = harness.rig.signer.block_action(
        user_id=user,
        action_id=action,
        value=value,
        channel_id=channel,
        team_id=team,
        response_key=key,
    )
    reply, made = harness.attempt(caplog, harness.rig.send(request))
    assert reply.raw == ""
    told = harness.rig.slack.responses.get(key, [])
    forms = [c for c in made if c.method == "views.open"]
    assert told or forms, "the presser was told nothing"
    for answer in told:
        assert answer.get("response_type") == "ephemeral"
        assert str(answer.get("text", "")).strip()
        assert_answer_pings_nobody(answer)


# ---- limits, stated -----------------------------------------------------------------------


def scalar(rig: Rig, sql: str) -> int:
    with sqlite3.connect(rig.database) as conn:
        return int(conn.execute(sql).fetchone()[0])


def dump(rig: Rig) -> list[str]:
    with sqlite3.connect(rig.database) as conn:
        return list(conn.iterdump())


OVER_LIMITS = [
    # (user, command, text, the limit the answer must state)
    (UKRAINE, "/table-motion", "x" * 2001, "at most 2,000 characters"),
    (UKRAINE, "/table-motion", "é" * 2001 + " deadline: in 2h", "at most 2,000 characters"),
    (RUSSIA, "/object", "1 " + "r" * 501, "at most 500 characters"),
    (KPCSC, "/object", "1 reservation: " + "s" * 501, "at most 500 characters"),
    (KPCSC, "/object", "1 stand-aside: " + "s" * 501, "at most 500 characters"),
    (CHAIR, "/meeting", f"delegation add {'n' * 81} participant <@U0NE>", "at most 80"),
    (CHAIR, "/meeting", f"delegation remove {'Ü' * 81}", "at most 80"),
    (CHAIR, "/meeting", "session add 2026-11-05 09:00 " + "t" * 151, "at most 150"),
]


@pytest.mark.parametrize(("user", "command", "text", "stated"), OVER_LIMITS)
async def test_text_over_a_limit_is_refused_with_the_limit_stated_and_changes_nothing(
    kasane: Rig, user: str, command: str, text: str, stated: str
) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    before = dump(kasane)
    reply = await kasane.command(command, text, user=user)
    assert reply.status == 200
    assert reply.ephemeral
    assert stated in reply.text
    assert dump(kasane) == before


async def test_a_meeting_title_over_150_characters_is_refused_with_the_limit_stated(
    rig: Rig,
) -> None:
    reply = await rig.command("/meeting", "start " + "t" * 151, user=CHAIR)
    assert "at most 150 characters" in reply.text
    assert scalar(rig, "SELECT count(*) FROM meetings") == 0
    await expect_ok(rig, "/meeting", "start " + "t" * 150, user=CHAIR)
    assert scalar(rig, "SELECT length(title) FROM meetings") == 150


AT_LIMITS = [
    # (user, command, text, the stored length, and where it is stored)
    (UKRAINE, "/table-motion", "é" * 2000, 2000, "SELECT max(length(text)) FROM items"),
    (RUSSIA, "/object", "1 " + "r" * 500, 500, "SELECT max(length(statement)) FROM positions"),
    (
        KPCSC,
        "/object",
        "1 stand-aside: " + "😀" * 500,
        500,
        "SELECT max(length(statement)) FROM positions",
    ),
    (
        CHAIR,
        "/meeting",
        f"delegation add {'Ç' * 80} observer <@U0NE>",
        80,
        "SELECT max(length(name)) FROM delegations",
    ),
    (
        CHAIR,
        "/meeting",
        "session add 2026-11-05 09:00 " + "t" * 150,
        150,
        "SELECT max(length(title)) FROM sessions",
    ),
]


@pytest.mark.parametrize(("user", "command", "text", "length", "stored"), AT_LIMITS)
async def test_text_exactly_at_a_limit_counted_in_characters_is_accepted(
    kasane: Rig, user: str, command: str, text: str, length: int, stored: str
) -> None:
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    await expect_ok(kasane, command, text, user=user)
    assert scalar(kasane, stored) == length


FORM_OVER_LIMITS = [
    # (user, form, fields, metadata, the field refused, the limit it must state)
    (RUSSIA, Form.OBJECTION, {"reason": {"value": "r" * 501}}, "reason", "500"),
    (
        KPCSC,
        Form.POSITION,
        {
            "kind": {"selected_option": {"value": "reservation"}},
            "statement": {"value": "s" * 501},
        },
        "statement",
        "500",
    ),
    (
        UKRAINE,
        Form.TABLING,
        {"title": {"value": "t" * 151}, "text": {"value": "x"}},
        "title",
        "150",
    ),
    (
        UKRAINE,
        Form.TABLING,
        {"title": {"value": "t"}, "text": {"value": "x" * 2001}},
        "text",
        "2,000",
    ),
]


@pytest.mark.parametrize(("user", "form", "fields", "field", "stated"), FORM_OVER_LIMITS)
async def test_forms_refuse_text_over_a_limit_on_the_field_with_the_limit_stated(
    kasane: Rig,
    user: str,
    form: Form,
    fields: dict[str, dict[str, Any]],
    field: str,
    stated: str,
) -> None:
    # Slack enforces max_length in its client, but a submission is only a signed request:
    # the limit must hold at the server like it does for the commands.
    await expect_ok(kasane, "/table-motion", "Adopt the agenda", user=UKRAINE)
    before = dump(kasane)
    private_metadata = MeetingRef(1).pack() if form is Form.TABLING else ItemRef(1, 1).pack()
    reply = await submit(kasane, user, form, fields, private_metadata)
    await kasane.settle()
    assert reply.status == 200
    assert reply.raw, "the over-long text was accepted"
    assert reply.json["response_action"] == "errors"
    assert stated in reply.json["errors"][field]
    assert dump(kasane) == before


# ---- crashes found by the properties, pinned ------------------------------------------------


@pytest.mark.parametrize(
    "setting", ["reminder ²", "reminder ¹⁵", "quorum ²", "rule consensus-minus ²"]
)
async def test_a_setting_written_in_superscript_digits_is_refused_clearly_not_a_crash(
    kasane: Rig, caplog: pytest.LogCaptureFixture, setting: str
) -> None:
    # "²".isdigit() is True but int("²") raises: only str.isdecimal() guards int().
    before = dump(kasane)
    reply = await kasane.command("/meeting", f"set {setting}", user=CHAIR)
    assert "Reference:" not in reply.text
    assert "invalid literal" not in reply.text
    assert ":warning:" in reply.raw
    assert "Usage:" in reply.text
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert dump(kasane) == before


@pytest.mark.parametrize("forged", ["²", "¹²"])
async def test_a_forged_session_or_cosponsor_choice_on_the_tabling_form_is_refused_not_a_crash(
    kasane: Rig, caplog: pytest.LogCaptureFixture, forged: str
) -> None:
    for fields in (
        {"session": {"selected_option": {"value": forged}}},
        {"cosponsors": {"selected_options": [{"value": forged}]}},
    ):
        reply = await submit(
            kasane,
            UKRAINE,
            Form.TABLING,
            {"title": {"value": "T"}, "text": {"value": "x"}, **fields},
            MeetingRef(1).pack(),
        )
        assert "Reference:" not in reply.raw
        check_form_answer(reply, Form.TABLING)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_the_same_cosponsor_chosen_twice_on_the_tabling_form_counts_once_not_a_crash(
    kasane: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    mali = scalar(kasane, "SELECT id FROM delegations WHERE name = 'Mali'")
    reply = await submit(
        kasane,
        UKRAINE,
        Form.TABLING,
        {
            "title": {"value": "T"},
            "text": {"value": "x"},
            "cosponsors": {"selected_options": [{"value": str(mali)}, {"value": str(mali)}]},
        },
        MeetingRef(1).pack(),
    )
    await kasane.settle()
    assert "Reference:" not in reply.raw
    check_form_answer(reply, Form.TABLING)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    if reply.raw == "":
        assert scalar(kasane, "SELECT count(*) FROM positions WHERE kind = 'support'") == 1


EDGE_DATES = [
    # (meeting zone, command, text)
    ("America/Los_Angeles", "/table-motion", "A motion deadline: 9999-12-31 23:59"),
    ("America/Los_Angeles", "/meeting", "session add 9999-12-31 23:59 Last session"),
    ("Asia/Tokyo", "/meeting", "session add 0001-01-01 00:00 First session"),
    ("Africa/Gaborone", "/table-motion", "A motion deadline: 0001-01-01 00:00"),
]


@pytest.mark.parametrize(("zone", "command", "text"), EDGE_DATES)
async def test_a_date_at_the_edge_of_the_calendar_is_refused_not_a_crash(
    kasane: Rig, caplog: pytest.LogCaptureFixture, zone: str, command: str, text: str
) -> None:
    await expect_ok(kasane, "/meeting", f"set timezone {zone}", user=CHAIR)
    before = dump(kasane)
    user = CHAIR if command == "/meeting" else UKRAINE
    reply = await kasane.command(command, text, user=user)
    assert "Reference:" not in reply.text
    assert ":warning:" in reply.raw
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert dump(kasane) == before


async def test_a_deadline_thousands_of_years_away_never_breaks_the_digest_or_the_card(
    kasane: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    # Accepted in a UTC meeting, this deadline lies past year 9999 in any zone east of UTC.
    reply = await kasane.command(
        "/table-motion", "A motion deadline: 9999-12-31 23:59", user=UKRAINE
    )
    if ":warning:" in reply.raw:
        assert "deadline" in reply.text  # refused as too far ahead: nothing can break
        return
    await expect_ok(kasane, "/meeting", "set timezone Asia/Tokyo", user=CHAIR)
    digest = await kasane.command("/meeting", "digest", user=CHAIR)
    assert "Reference:" not in digest.text
    objection = await kasane.send(
        kasane.signer.slash_command("/object", "1 Not this", user_id=RUSSIA)
    )
    assert objection.status == 200
    await kasane.settle()  # renders the card again, now in Asia/Tokyo
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert scalar(kasane, "SELECT count(*) FROM notices WHERE delivered_revision < revision") == 0


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
