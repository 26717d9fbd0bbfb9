"""Text crossing the Slack boundary: user input to plain text, plain text to safe mrkdwn."""

from __future__ import annotations

import re
import unicodedata

# Slack's escaped forms in command text (should_escape: true): <@U…|name>, <#C…|name>,
# <!channel>, <!subteam^S…|@team>, <!date^…|fallback>, <https://…|label>.
_SLACK_TOKEN = re.compile(r"<([^<>]*)>")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_WORD_JOINER = "\u2060"


def _token_to_plain(match: re.Match[str]) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "@" + (label or target[1:])
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):
        if label:
            return label if label.startswith("@") or target.startswith("!date") else "@" + label
        return "@" + target[1:].split("^", 1)[0]
    return f"{label} ({target})" if label else target


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_text(slack_text: str) -> str:
    """What the user meant, as plain text: mentions become ``@name``, entities are decoded,
    control characters other than newlines and tabs are dropped, ends are trimmed."""
    text = _SLACK_TOKEN.sub(_token_to_plain, slack_text)
    text = _unescape(text)
    if text.isprintable():  # no control, format or surrogate character: nothing to drop
        return text.strip()
    cleaned = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs"}
    )
    return cleaned.strip()


def user_mention_id(token: str) -> str | None:
    """The user id of a ``<@U123>`` or ``<@U123|name>`` token, else None."""
    match = _MENTION.match(token)
    return match.group(1) if match else None


def escape(text: str) -> str:
    """Make plain text safe inside a Slack mrkdwn or plain_text field.

    ``&``, ``<`` and ``>`` are entity-escaped, so no ``<!channel>`` or ``<@U…>`` can be
    formed, and a word joiner after ``@`` defuses ``@channel``/``@here``/``@everyone``
    even for clients that would link bare names.
    """
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + _WORD_JOINER + m.group(1), escaped)


def truncate(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, marking the cut with an ellipsis.

    Never inside an escape (``&amp;``, ``&lt;``, ``&gt;``) or a ``<…>`` token (a mention, a
    date, a link): the cut moves back to before it, so Slack never shows half of one."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&", len(cut) - 4)  # the longest escape, "&amp;", is five characters
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    if cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    return cut + "…"
