"""playlist-clusters: cluster a playlist's tracks and show the clusters, in Discord or offline."""

__version__ = "0.1.0"
