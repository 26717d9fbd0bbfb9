"""The web layer's pure parts: tokens, the guessing limit, and user text in HTML."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.links import LinkKind, looks_like_token, token_digest
from bot.domain.model import Item, Meeting
from bot.domain.rules import CONSENSUS, ItemStatus
from bot.render.links import link_for, screen_link
from bot.services.links import ScreenState, new_token
from bot.web.limiter import GuessLimiter
from bot.web.views import screen_body

NOW = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_drawn_token_carries_at_least_128_bits_and_looks_like_a_token() -> None:
    tokens = {new_token() for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(t) >= 22 and looks_like_token(t) for t in tokens)  # 6 bits a character


def test_only_url_safe_tokens_of_bounded_length_are_worth_a_lookup() -> None:
    assert not looks_like_token("")
    assert not looks_like_token("a" * 65)
    assert not looks_like_token("abc/../def")
    assert not looks_like_token("tökén")
    assert looks_like_token("Ab-_09")


def test_the_stored_digest_is_the_tokens_sha256_and_never_the_token() -> None:
    digest = token_digest("secret-token")
    assert len(digest) == 64
    assert "secret-token" not in digest
    assert digest == token_digest("secret-token") != token_digest("secret-tokeN")


def test_links_are_given_on_the_public_address_or_as_paths() -> None:
    assert link_for("https://plenary.example.org", LinkKind.SCREEN, "t0k") == (
        "https://plenary.example.org/screen/t0k"
    )
    assert link_for(None, LinkKind.RECORD, "t0k") == "/record/t0k"


def test_a_link_is_shown_so_that_slack_reads_no_formatting_into_its_token() -> None:
    token = "_a_b-c_"
    public = screen_link(
        f"https://x.org/screen/{token}", "https://x.org", issued=True, rotated=False
    )
    assert f"<https://x.org/screen/{token}>" in public.text
    bare = screen_link(f"/screen/{token}", None, issued=True, rotated=False)
    assert f"`/screen/{token}`" in bare.text


def test_an_address_is_refused_after_its_allowed_misses_until_the_window_passes() -> None:
    ticks = Ticks()
    limiter = GuessLimiter(ticks, misses_allowed=3, window_seconds=60)
    for _ in range(3):
        assert not limiter.refused("10.0.0.1")
        limiter.missed("10.0.0.1")
    assert limiter.refused("10.0.0.1")
    assert not limiter.refused("10.0.0.2")
    assert limiter.retry_after("10.0.0.1") == 61
    ticks.now = 60.5
    assert not limiter.refused("10.0.0.1")


def test_the_limiter_forgets_the_oldest_address_when_too_many_are_guessing() -> None:
    limiter = GuessLimiter(Ticks(), misses_allowed=1, addresses_kept=2)
    for address in ("a", "b", "c"):
        limiter.missed(address)
    assert [limiter.refused(a) for a in ("a", "b", "c")] == [False, True, True]


def hostile_item(text: str, sponsor: str) -> Item:
    return Item(
        id=1,
        meeting_id=1,
        number=1,
        sponsor_id=1,
        sponsor=sponsor,
        text=text,
        status=ItemStatus.OPEN,
        tabled_by="U0SOMEONE",
        tabled_at=NOW,
    )


def test_user_text_on_the_screen_is_escaped_and_isolated_and_no_user_id_is_shown() -> None:
    meeting = Meeting(
        id=1,
        team_id="T0",
        channel_id="C0",
        title="<b>Title</b>",
        timezone="UTC",
        rule=CONSENSUS,
        created_by="U0CHAIR",
        created_at=NOW,
    )
    item = hostile_item('<script>alert("x")</script>\u202eevil', 'Evil" onmouseover="x')
    state = ScreenState(meeting, 4, None, None, (item,), ())
    body = screen_body(state)
    assert "<script>" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\u202eevil" in body
    assert "<bdi>&lt;script&gt;" in body
    assert "U0SOMEONE" not in body
