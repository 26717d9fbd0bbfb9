"""Tokens encrypted at rest: sealed with Fernet (AES-128-CBC and HMAC-SHA256) under the key
in PLENARY_TOKEN_KEY before they reach storage, opened only to make a Slack call."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class TokenSeal:
    def __init__(self, key: str) -> None:
        """Raises ValueError when ``key`` is not a Fernet key (32 url-safe base64 bytes)."""
        self._fernet = Fernet(key.encode())

    def seal(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def open(self, sealed: str) -> str:
        """The token; ValueError when it was sealed under another key or tampered with."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("a stored token cannot be opened with PLENARY_TOKEN_KEY") from exc
