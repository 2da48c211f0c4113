"""Realistic multilingual fake catalogue data: titles in Japanese, Hebrew, Thai, emoji, ..."""

from __future__ import annotations

import random
import string

TITLES = (
    "夜に駆ける",
    "アイドル",
    "שיר לשלום",
    "ילדים של החיים",
    "ขอใจเธอแลกเบอร์โทร",
    "คิดถึง",
    "🔥 Fire Emoji 🔥",
    "Déjà vu",
    "小幸运",
    "좋은 날",
    "Привет",
    "Señorita",
    "Café del Mar 🌅",
    "Ὠδή",
    "Straße ohne Namen",
)
ARTISTS = (
    "YOASOBI",
    "עומר אדם",
    "ลิซ่า",
    "周杰伦",
    "IU",
    "Mötley Crüe",
    "Björk",
    "Rosalía",
    "Aya Nakamura",
)
GENRES = ("Pop", "J-Pop", "Rock", "Dance", "Electro", "Hip Hop", "Latin", "World")
LABELS = ("Sony Music Japan", "הד ארצי", "GMM Grammy", "Universal", "Independent 🎶")


def spotify_id(seed: int) -> str:
    """A deterministic 22-character base-62 id."""
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(22))


def title(i: int) -> str:
    return f"{TITLES[i % len(TITLES)]} {i}" if i >= len(TITLES) else TITLES[i]


def features(i: int) -> dict[str, float]:
    """Spotify-scale audio features, in two clear groups (even/odd) for clustering."""
    rng = random.Random(i)
    loud = i % 2 == 0
    return {
        "danceability": round((0.8 if loud else 0.3) + rng.uniform(-0.1, 0.1), 3),
        "energy": round((0.9 if loud else 0.2) + rng.uniform(-0.1, 0.1), 3),
        "valence": round(rng.uniform(0.1, 0.9), 3),
        "acousticness": round((0.05 if loud else 0.8) + rng.uniform(0, 0.1), 3),
        "instrumentalness": round(rng.uniform(0, 0.2), 3),
        "speechiness": round(rng.uniform(0.03, 0.2), 3),
        "liveness": round(rng.uniform(0.05, 0.4), 3),
        "tempo": round((128 if loud else 80) + rng.uniform(-8, 8), 1),
        "loudness": round((-5 if loud else -14) + rng.uniform(-1.5, 1.5), 2),
        "key": float(rng.randrange(12)),
        "mode": float(rng.randrange(2)),
    }
