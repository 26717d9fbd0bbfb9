"""Names however they are spelled (case, accents, full-width letters, spacing), through every
command that takes one: never the unexpected-problem answer, never two delegations of a name."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import example, given, settings, strategies as st

from tests.support.cast import CHAIR, KPCSC, MALI, UKRAINE
from tests.support.harness import ON_SQLITE_FILE, Harness
from tests.support.hostile_input import BOUNDED, IVORY, NEWCOMER
from tests.support.safety_checks import assert_clear_command_answer

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


@ON_SQLITE_FILE
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
