"""What every page shares, pure: the page frame, its own static files, and user text as text:
escaped, and isolated so a right-to-left override cannot reorder the page around it."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.votes import VoteResult

STYLESHEET = "/static/plenary.css"


SCREEN_SCRIPT = "/static/screen.js"


ICON = "/static/icon.svg"


def text(text: str) -> str:
    """User text as text: escaped, and bidi-isolated from what surrounds it."""
    return f"<bdi>{html.escape(text, quote=True)}</bdi>"


def attribute(text: str) -> str:
    """An attribute value."""
    return html.escape(text, quote=True)


def page(title: str, body: str, *, page_class: str, script: str | None = None) -> str:
    script_tag = f'<script src="{SCREEN_SCRIPT}" defer></script>' if script else ""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>{html.escape(title)}</title>"
        f'<link rel="icon" href="{ICON}" type="image/svg+xml">'
        f'<link rel="stylesheet" href="{STYLESHEET}">{script_tag}</head>'
        f'<body class="{page_class}">{body}</body></html>\n'
    )


def epoch(moment: datetime) -> str:
    return f"{moment.timestamp():.3f}"


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return html.escape(moment.astimezone(tz).strftime("%Y-%m-%d %H:%M"))


def counts(result: VoteResult) -> str:
    count = result.count
    return f"{count.yes} yes, {count.no} no, {count.abstain} abstaining"
