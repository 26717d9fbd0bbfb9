"""What a chair is told about the meeting's web links: the room's screen and the public
record. Links are told only to the chair who asked (the answers are ephemeral); pure."""

from __future__ import annotations

from bot.domain.links import LinkKind
from bot.render.blocks import Message, note


def link_for(base_url: str | None, kind: LinkKind, token: str) -> str:
    """The link as people open it: on ``base_url`` (PUBLIC_URL) when set, else a path."""
    return f"{base_url or ''}/{kind.value}/{token}"


def _where(base_url: str | None) -> str:
    return "" if base_url else " (a path on the address where the bot is served)"


def _shown(url: str) -> str:
    """The link as Slack should show it: an explicit link, or code for a bare path, so the
    ``_`` and ``-`` a token may hold are never read as formatting."""
    return f"<{url}>" if url.startswith(("http://", "https://")) else f"`{url}`"


def screen_link(url: str, base_url: str | None, *, issued: bool, rotated: bool) -> Message:
    head = (
        "A new link to the room's screen; the old one stopped working."
        if rotated
        else "The room's screen."
    )
    return note(
        f"{head} Open it on the projector{_where(base_url)}: {_shown(url)}\n"
        "Only people with this link can see the screen, so keep it off the channel."
        + ("" if issued or rotated else " `/meeting screen rotate` replaces it.")
    )


def record_published(url: str, base_url: str | None, *, issued: bool, rotated: bool) -> Message:
    if rotated:
        head = "The public record has a new link; the old one answers “not found”."
    elif issued:
        head = "The record is now public, read-only."
    else:
        head = "The record is already public."
    return note(
        f"{head} Anyone with the link can read it{_where(base_url)}: {_shown(url)}\n"
        "`/meeting publish off` takes it down at once."
    )


def record_unpublished(*, was_public: bool) -> Message:
    if was_public:
        return note("The public record is taken down: its link answers “not found” from now on.")
    return note("The record was not public; nothing changed.")
