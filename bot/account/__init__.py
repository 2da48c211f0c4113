"""Members' own Spotify accounts: sign-in (Authorization Code + PKCE), tokens, library.

- :mod:`bot.account.pkce`: the PKCE verifier/challenge, the state, the authorize URL (pure).
- :mod:`bot.account.crypto`: tokens encrypted at rest (Fernet, ``TOKEN_ENCRYPTION_KEY``).
- :mod:`bot.account.oauth`: Spotify's token endpoint (code exchange, refresh).
- :mod:`bot.account.service`: sign-ins, stored accounts, valid access tokens.
- :mod:`bot.account.api`: authorised calls for one member (refresh before expiry, on 401).
- :mod:`bot.account.library`: the member's playlists, Liked Songs, 💚 marks, saving clusters.
- :mod:`bot.account.web`: the aiohttp callback server and its plain HTML pages.

The feature is off unless ``SPOTIFY_CLIENT_ID``, ``PUBLIC_URL`` and
``TOKEN_ENCRYPTION_KEY`` are all set (:func:`bot.account.service.why_off`).
"""
