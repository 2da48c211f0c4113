"""The first playlist link of a message, for the menu "Cluster this playlist"."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.net.links import first_playlist_link


def test_the_first_playlist_link_of_a_message_is_found_among_other_links() -> None:
    text = (
        "this track https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC is great, and "
        "my mix (https://www.deezer.com/fr/playlist/908622995)! also spotify:playlist:"
        "37i9dQZF1DXcBWIGoYBM5M"
    )
    assert first_playlist_link(text) == "https://www.deezer.com/fr/playlist/908622995"
    assert first_playlist_link("<https://link.deezer.com/s/30abc>") == (
        "https://link.deezer.com/s/30abc"
    )
    assert first_playlist_link("spotify:playlist:37i9dQZF1DXcBWIGoYBM5M.") == (
        "spotify:playlist:37i9dQZF1DXcBWIGoYBM5M"
    )
    assert first_playlist_link("no link, just @everyone and https://example.com/x") is None


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("htps:/.wdeezrcomplaylist0123456789 ()<>|*_\n夜🎵@")),
        max_size=300,
    )
)
def test_any_message_text_gives_a_link_or_none_and_never_raises(text: str) -> None:
    found = first_playlist_link(text)
    assert found is None or found in text
