"""The JSON document has the documented shape and rebuilds the same analysis."""

from __future__ import annotations

import json

import numpy as np

from bot.model import AnalysisOptions
from bot.pipeline.runner import compute_analysis
from bot.render.document import from_document, to_document
from bot.render.markdown import render_markdown
from tests.conftest import blob_playlist


def test_document_shape_and_round_trip() -> None:
    playlist, _ = blob_playlist((10, 6))
    playlist.skip("local file", 2)
    analysis = compute_analysis(playlist, AnalysisOptions(k=2), render_png=False)
    doc = json.loads(json.dumps(to_document(analysis), ensure_ascii=False))
    assert doc["playlist"] == {
        "name": "Blobs",
        "source": "csv",
        "id": "blobs.csv",
        "track_count": 16,
        "snapshot": "snap",
        "owner": "",
        "image": "",
        "url": "",
    }
    assert [c["number"] for c in doc["clusters"]] == [1, 2]
    assert [c["size"] for c in doc["clusters"]] == [10, 6]
    track = doc["clusters"][0]["tracks"][0]
    assert {"id", "title", "artists", "album", "label", "url", "image"} <= set(track)
    assert doc["skipped"] == {"local file": 2}
    assert "energy" in doc["features"]
    rebuilt = from_document(doc)
    assert render_markdown(rebuilt) == render_markdown(analysis)
    assert rebuilt.labels == analysis.labels
    assert np.allclose(rebuilt.points, analysis.points, atol=1e-4)
    assert [t.id for t in rebuilt.playlist.tracks] == [t.id for t in playlist.tracks]
