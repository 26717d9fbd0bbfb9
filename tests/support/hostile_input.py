"""Hostile text and forged values for the bad-input properties, as Hypothesis strategies, and
the bounded settings every property runs with."""

from __future__ import annotations

from typing import TypeVar

from hypothesis import HealthCheck, Phase, settings, strategies as st

from bot.commands.payloads import ItemRef, MeetingRef

T = TypeVar("T")

OTHER_TEAM = "T0OTHER"
VICTIM = "U0VICTIM"  # whom a hostile text tries to ping
IVORY = "U0CI"  # for Côte d'Ivoire, whose name has an accent and an apostrophe
NEWCOMER = "U0NEW"  # in no delegation until a request registers them

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


ITEM_REFS = [ItemRef(1, 1).pack(), ItemRef(1, 2).pack()]
FORGED_REFS = [
    ItemRef(1, 99).pack(),
    ItemRef(99, 1).pack(),
    MeetingRef(99).pack(),
    "i1:1:1\x00",
    "i1:1:1" + "0" * 2000,
]
