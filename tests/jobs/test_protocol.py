"""The wire format between bots and workers: requests, user errors and events as data."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from bot.account.oauth import NotConnected
from bot.errors import CsvError, InputTooLarge, PlaylistUnavailable, ProviderDown, UserError
from bot.jobs.protocol import (
    AnalysisRequest,
    decode_event,
    encode_event,
    error_from_wire,
    error_to_wire,
)
from bot.model import AnalysisOptions, PlaylistRef
from bot.settings.env import BadSetting, Settings, get_settings
from bot.sources.csvfile import content_snapshot
from tests.harness import playlist_csv


def test_a_csv_request_travels_compressed_and_comes_back_whole() -> None:
    data = playlist_csv(groups=4, per_group=100)
    request = AnalysisRequest(
        "csv", AnalysisOptions(k=3, metadata_weight=0.25), name="Mix", data=data
    )
    wire = request.to_wire()
    assert len(wire["data"]) < len(data) / 3  # zstd: a CSV shrinks a lot
    back = AnalysisRequest.from_wire(pickle.loads(pickle.dumps(wire)), max_bytes=len(data))
    assert back == request
    assert content_snapshot(back.data) == content_snapshot(data)


def test_link_and_ref_requests_come_back_equal() -> None:
    options = AnalysisOptions(k=None, metadata_weight=0.5)
    for request in (
        AnalysisRequest("link", options, text="https://www.deezer.com/playlist/1 ✨", user_id=7),
        AnalysisRequest("ref", options, ref=PlaylistRef("deezer", "908622995")),
    ):
        wire = request.to_wire()
        assert all(isinstance(k, str) for k in wire)
        assert AnalysisRequest.from_wire(wire, max_bytes=10) == request


def test_a_weekly_posts_wait_for_every_lookup_crosses_the_wire() -> None:
    """``complete`` (a weekly post waits for every Deezer lookup) reaches the worker as
    plain data; a job from an older bot, without it, answers within the budgets."""
    weekly = AnalysisRequest(
        "ref", AnalysisOptions(k=4, complete=True), ref=PlaylistRef("spotify", "37i9dQZF1")
    )
    wire = pickle.loads(pickle.dumps(weekly.to_wire()))
    assert wire["complete"] is True
    back = AnalysisRequest.from_wire(wire, max_bytes=10)
    assert back == weekly and back.options.complete
    member = AnalysisRequest("ref", AnalysisOptions(k=4), ref=weekly.ref).to_wire()
    assert member["complete"] is False
    del member["complete"]
    assert not AnalysisRequest.from_wire(member, max_bytes=10).options.complete


def test_csv_data_beyond_the_limit_is_refused_whatever_the_frame_says() -> None:
    data = b"a" * 10_000  # compresses to a few bytes
    wire = AnalysisRequest("csv", AnalysisOptions(), name="x", data=data).to_wire()
    with pytest.raises(InputTooLarge):
        AnalysisRequest.from_wire(wire, max_bytes=9_999)
    assert AnalysisRequest.from_wire(wire, max_bytes=10_000).data == data


@pytest.mark.parametrize(
    "error",
    [
        PlaylistUnavailable("That playlist is private."),
        CsvError("Line 3 has no track name."),
        ProviderDown("Deezer did not answer after 5 tries."),
        NotConnected("cluster your Liked Songs"),
        UserError("plain"),
    ],
)
def test_a_user_error_comes_back_as_its_own_class_with_its_sentence(error: UserError) -> None:
    back = error_from_wire(pickle.loads(pickle.dumps(error_to_wire(error))))
    assert type(back) is type(error)
    assert str(back) == str(error)


def test_an_unknown_error_class_becomes_its_nearest_known_base() -> None:
    wire = {
        "classes": ["bot.future.NewKind", "bot.errors.PlaylistUnavailable", "bot.errors.UserError"],
        "message": "Gone.",
    }
    back = error_from_wire(wire)
    assert type(back) is PlaylistUnavailable and str(back) == "Gone."
    nothing_known = error_from_wire({"classes": ["x.Y"], "message": "Hm."})
    assert type(nothing_known) is UserError and str(nothing_known) == "Hm."


def test_events_round_trip_and_garbage_is_ignored() -> None:
    event = decode_event(encode_event("j1", "progress", stage="Fetching tracks", done=1, total=9))
    assert event == {
        "job": "j1",
        "type": "progress",
        "stage": "Fetching tracks",
        "done": 1,
        "total": 9,
    }
    for garbage in (b"", b"not json", b"[1, 2]", b'{"type": "done"}', b'{"job": 5}'):
        assert decode_event(garbage) is None


@pytest.mark.parametrize("value", ["abc", "http://127.0.0.1:6379", "redis://:pw@host:99999/0"])
def test_an_unusable_redis_url_names_the_setting_but_not_its_value(
    value: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("REDIS_URL", value)
    get_settings.cache_clear()
    try:
        with pytest.raises(BadSetting) as caught:
            get_settings()
    finally:
        get_settings.cache_clear()
    assert "REDIS_URL" in str(caught.value) and value not in str(caught.value)


def test_redis_url_forms_accepted() -> None:
    for value in ("", "redis://127.0.0.1:6379/0", "rediss://:pw@cache.example:6380/1"):
        settings = Settings(_env_file=None, redis_url=value)  # type: ignore[call-arg]
        assert settings.redis_url.get_secret_value() == value
    assert "pw" not in repr(Settings(_env_file=None, redis_url="redis://:pw@h:1/0"))  # type: ignore[call-arg]
