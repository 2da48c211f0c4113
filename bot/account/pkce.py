"""PKCE (RFC 7636, S256), the sign-in state and Spotify's authorize URL (pure).

The verifier stays on our side; Spotify sees only its SHA-256 challenge, and the
token endpoint later checks that the code is redeemed with the matching verifier.
The state is random, sent to Spotify and back in the callback, and only its hash is
stored, bound to the Discord user who asked.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from yarl import URL

#: The least Spotify must grant: read the member's playlists (private and collaborative)
#: and Liked Songs, and create private playlists.
SCOPES: tuple[str, ...] = (
    "playlist-read-private",
    "playlist-read-collaborative",
    "user-library-read",
    "playlist-modify-private",
)
#: Where Spotify sends the browser back; the redirect URI is PUBLIC_URL + this path.
CALLBACK_PATH = "/spotify/callback"
#: A sign-in must be finished within this many seconds.
STATE_TTL_SECONDS = 600.0


def new_verifier() -> str:
    """A code verifier: 86 characters of ``[A-Za-z0-9_-]`` (RFC 7636 allows 43-128)."""
    return secrets.token_urlsafe(64)


def challenge(verifier: str) -> str:
    """The S256 code challenge: base64url(SHA-256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    """An unguessable state (256 random bits)."""
    return secrets.token_urlsafe(32)


def state_hash(state: str) -> str:
    """What is stored for a state: its SHA-256, so the database alone cannot finish a sign-in."""
    return hashlib.sha256(state.encode("utf-8", "surrogatepass")).hexdigest()


def redirect_uri(public_url: str) -> str:
    """The redirect URI registered with Spotify: ``PUBLIC_URL`` + :data:`CALLBACK_PATH`."""
    return public_url.rstrip("/") + CALLBACK_PATH


def authorize_url(
    base: str, *, client_id: str, redirect: str, state: str, code_challenge: str
) -> str:
    """The URL a member opens to grant this app :data:`SCOPES`."""
    return str(
        URL(base).with_query(
            {
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": redirect,
                "scope": " ".join(SCOPES),
                "state": state,
                "code_challenge_method": "S256",
                "code_challenge": code_challenge,
            }
        )
    )
