"""The meeting's web links: the room's screen and the public record, each reached only by an
unguessable token. Only a digest of a token is ever looked up, so a lookup's timing says
nothing about how much of a guess was right. Pure."""

from __future__ import annotations

import hashlib
from enum import StrEnum

TOKEN_BYTES = 24  # 192 bits of randomness, drawn by the service (secrets.token_urlsafe)
MAX_TOKEN_LENGTH = 64  # longer paths are not tokens: refused before anything is computed


class LinkKind(StrEnum):
    SCREEN = "screen"  # the room's projector view, live
    RECORD = "record"  # the public record, when the chairs publish it


class PublishMode(StrEnum):
    ON = "on"
    OFF = "off"
    ROTATE = "rotate"


def token_digest(token: str) -> str:
    """What is stored and looked up for a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_token(text: str) -> bool:
    """A token is URL-safe base64 of a bounded length; anything else is not worth a lookup."""
    return 0 < len(text) <= MAX_TOKEN_LENGTH and all(
        c.isascii() and (c.isalnum() or c in "-_") for c in text
    )
