"""The transport: one HTTP client with its answers and adaptive rate limits, link
resolution, and Spotify's API shapes and app authentication."""
