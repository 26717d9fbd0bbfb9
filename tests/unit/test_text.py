"""Text crossing the Slack boundary: escaped input to plain text, plain text to safe mrkdwn."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from bot.domain.text import escape, plain_text, truncate, user_mention_id

WORD_JOINER = "\u2060"
BROADCASTS = {"channel", "here", "everyone"}
# Fragments that make escaping interesting, mixed with arbitrary text by the property test.
SLACKISH = (
    "<",
    ">",
    "&",
    "!",
    "@",
    "|",
    "^",
    "#",
    "channel",
    "here",
    "everyone",
    "EVERYONE",
    "&lt;",
    "&gt;",
    "&amp;",
    "<!channel>",
    "<@U1|x>",
    " ",
    "\n",
    "\u200b",
    "\x00",
)


def broadcasts_in(mrkdwn: str) -> list[str]:
    """The broadcast keywords written as a whole word right after an ``@``."""
    return [w for w in re.findall(r"@(\w+)", mrkdwn) if w.casefold() in BROADCASTS]


# ---- plain_text -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slack", "plain"),
    [
        ("<@U1|olga>", "@olga"),
        ("<@U1>", "@U1"),
        ("<!channel>", "@channel"),
        ("<!here>", "@here"),
        ("<!everyone>", "@everyone"),
        ("<!here|here>", "@here"),
        ("<!subteam^S1|@team>", "@team"),
        ("<!subteam^S1>", "@subteam"),
        ("<#C1|general>", "#general"),
        ("<#C1>", "#C1"),
        ("<https://x|label>", "label (https://x)"),
        ("<https://kimberleyprocess.com>", "https://kimberleyprocess.com"),
        ("<!date^1714996800^{date_short}|6 May 2024>", "6 May 2024"),
        ("&amp;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&amp;lt;", "&lt;"),
        ("&lt;!channel&gt;", "<!channel>"),
    ],
)
def test_plain_text_reads_slacks_escaped_forms_as_the_user_meant_them(
    slack: str, plain: str
) -> None:
    assert plain_text(slack) == plain


def test_plain_text_converts_tokens_inside_a_sentence() -> None:
    slack = "Per <@U1|olga> in <#C1|plenary>: see <https://kp.org|the letter> &amp; reply"
    assert plain_text(slack) == "Per @olga in #plenary: see the letter (https://kp.org) & reply"


@pytest.mark.parametrize(
    ("slack", "plain"),
    [
        ("a\x00b\x07c", "abc"),
        ("zero\u200bwidth", "zerowidth"),
        ("right\u202eto left", "rightto left"),
        ("keeps\nlines\tand tabs", "keeps\nlines\tand tabs"),
        ("  \n trimmed \t ", "trimmed"),
        ("Côte d'Ivoire — Türkiye", "Côte d'Ivoire — Türkiye"),
    ],
)
def test_plain_text_drops_control_characters_but_keeps_lines_and_letters(
    slack: str, plain: str
) -> None:
    assert plain_text(slack) == plain


def test_plain_text_rejoins_a_broadcast_split_by_an_invisible_character() -> None:
    # The invisible character is dropped, so escape() sees and defuses the whole word.
    assert plain_text("@chan\u200bnel") == "@channel"
    assert broadcasts_in(escape(plain_text("@chan\u200bnel"))) == []


# ---- user_mention_id --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "user"),
    [("<@U123>", "U123"), ("<@U123|olga>", "U123"), ("<@W9AB>", "W9AB"), ("@olga", None)],
)
def test_a_user_mention_token_yields_its_user_id(token: str, user: str | None) -> None:
    assert user_mention_id(token) == user


@pytest.mark.parametrize("token", ["<#C1|general>", "<!channel>", "<@u123>", "<@U1> tail"])
def test_other_tokens_are_not_user_mentions(token: str) -> None:
    assert user_mention_id(token) is None


# ---- escape -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["<!channel>", "<!here>", "<!everyone>", "<@U123>", "<@U123|olga>", "<!subteam^S1>"]
)
def test_escape_never_lets_a_slack_token_through(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped
    assert ">" not in escaped
    assert escaped.startswith("&lt;")


def test_escape_encodes_ampersands_first_so_entities_stay_literal() -> None:
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape("&lt;!channel&gt;") == "&amp;lt;!channel&amp;gt;"


@pytest.mark.parametrize("word", ["channel", "here", "everyone", "Channel", "HERE"])
def test_escape_defuses_bare_broadcast_words(word: str) -> None:
    escaped = escape(f"Attention @{word}, please.")
    assert escaped == f"Attention @{WORD_JOINER}{word}, please."
    assert broadcasts_in(escaped) == []


def test_escape_leaves_ordinary_names_after_an_at_sign_alone() -> None:
    assert escape("@olga and @heretic") == "@olga and @heretic"


@settings(max_examples=300, database=None)
@given(
    st.lists(
        st.sampled_from(SLACKISH) | st.text(max_size=4),
        max_size=20,
    ).map("".join)
)
def test_nothing_a_user_types_comes_out_of_escape_as_a_mention_or_broadcast(text: str) -> None:
    out = escape(plain_text(text))
    assert "<!" not in out
    assert "<@" not in out
    assert broadcasts_in(out) == []


# ---- truncate ---------------------------------------------------------------------------


def test_truncate_keeps_short_text_and_marks_a_cut_within_the_limit() -> None:
    assert truncate("short", 10) == "short"
    assert truncate("x" * 10, 10) == "x" * 10
    assert truncate("x" * 11, 10) == "x" * 9 + "…"


@pytest.mark.parametrize("entity", ["&amp;", "&lt;", "&gt;"])
def test_truncate_never_cuts_an_escape_in_half(entity: str) -> None:
    text = "abc" + entity * 5
    for limit in range(2, len(text)):
        out = truncate(text, limit)
        assert len(out) <= limit
        body = out.removesuffix("…")
        assert body == text[: len(body)]
        assert body.count("&") == body.count(";"), out


def test_truncate_never_cuts_a_mention_or_date_token_in_half() -> None:
    text = "Raised by <@U0123456789> on <!date^1700000000^{date}|14 Nov> in plenary"
    for limit in range(2, len(text)):
        out = truncate(text, limit)
        body = out.removesuffix("…")
        assert len(out) <= limit
        assert body.count("<") == body.count(">"), out


@given(st.text().map(lambda t: t.replace("<", "").replace("&", "")))
def test_plain_text_drops_exactly_the_control_format_and_surrogate_characters(text: str) -> None:
    # Without Slack tokens or entities, plain text is the input less those characters
    # (newlines and tabs kept), trimmed: the printable fast path and the filter agree.
    kept = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs"}
    )
    assert plain_text(text) == kept.strip()
