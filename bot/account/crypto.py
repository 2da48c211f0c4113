"""Tokens encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, ``cryptography``).

The key is ``TOKEN_ENCRYPTION_KEY`` (urlsafe base64 of 32 random bytes, as
``Fernet.generate_key()`` prints). A wrong or changed key makes stored tokens
unreadable: such an account is treated as disconnected, never as an error.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken


class BadKey(ValueError):
    """``TOKEN_ENCRYPTION_KEY`` is not a Fernet key."""


class Unreadable(Exception):
    """Ciphertext that this key cannot open (another key, or damaged)."""


class TokenCipher:
    """Encrypts JSON-able values (token sets, PKCE verifiers) into opaque bytes."""

    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.strip().encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise BadKey(
                "TOKEN_ENCRYPTION_KEY is not a Fernet key (44 characters of urlsafe base64)."
            ) from None

    def __repr__(self) -> str:
        return "TokenCipher(<key hidden>)"

    def seal(self, value: Any) -> bytes:
        """``value`` as JSON, encrypted and authenticated."""
        return self._fernet.encrypt(json.dumps(value, separators=(",", ":")).encode("utf-8"))

    def open(self, blob: bytes) -> Any:
        """The value sealed into ``blob``; :class:`Unreadable` if this key cannot open it."""
        try:
            return json.loads(self._fernet.decrypt(blob).decode("utf-8"))
        except (InvalidToken, ValueError, UnicodeDecodeError):
            raise Unreadable("stored tokens cannot be decrypted with this key") from None
