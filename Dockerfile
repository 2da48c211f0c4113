# playlist-clusters Discord bot.
#   docker build -t playlist-clusters .
#   docker run -d --name playlist-clusters --env-file .env -v playlist-data:/data playlist-clusters
# Several processes (bot shards, workers, PostgreSQL, Redis): docker-compose.yml, same image.
FROM python:3.11-slim

# Fonts for names in the scatter picture: Noto CJK, Noto core (Hebrew, Thai, ...), DejaVu.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-dejavu-core fonts-noto-core fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_PATH=/data/playlist-clusters.db \
    HEALTH_FILE=/data/heartbeat \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY cogs ./cogs
COPY storage ./storage
RUN pip install .

# An unprivileged user owns only the data volume.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin bot \
    && mkdir -p /data && chown bot:bot /data
USER bot
VOLUME ["/data"]

# Healthy while the bot touches its heartbeat (every 30 s when connected to Discord).
# A worker container (`playlist-clusters worker`) has no such file: docker-compose.yml
# gives the workers their own check.
HEALTHCHECK --interval=60s --timeout=10s --start-period=90s --retries=3 \
    CMD ["python", "-m", "bot.roots.health"]

# The Spotify sign-in callback server (only listens when PUBLIC_URL, TOKEN_ENCRYPTION_KEY
# and SPOTIFY_CLIENT_ID are set); publish it with -p 8080:8080 behind your HTTPS proxy.
EXPOSE 8080

# SIGTERM (docker stop) closes the gateway, the HTTP session and the database cleanly.
STOPSIGNAL SIGTERM
CMD ["playlist-clusters", "bot"]
