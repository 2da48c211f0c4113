"""docker-compose.yml: the multi-process layout (two shards, two workers, PostgreSQL,
Redis) is complete and consistent. No Docker engine here: the file is read with PyYAML
as compose reads it (anchors and ``<<`` merges), and given to ``docker compose config``
when a compose client is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings.env import Settings
from bot.shards import ShardPlan
from tests.conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"
PLACEHOLDER = re.compile(r"\$\{(?P<name>[A-Z_]+)(?::\?[^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def by_command(compose: dict[str, Any], command: str) -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("command") == ["playlist-clusters", command]
    }


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment with ``${VAR:?...}`` filled in as compose would."""
    env = service.get("environment", {})
    assert isinstance(env, dict)
    return {k: PLACEHOLDER.sub("secret", str(v)) for k, v in env.items()}


def test_the_services_are_two_bot_shards_two_workers_postgres_and_redis(
    compose: dict[str, Any],
) -> None:
    names = {"bot-0", "bot-1", "worker-1", "worker-2", "postgres", "redis"}
    assert set(compose["services"]) == names
    assert set(by_command(compose, "bot")) == {"bot-0", "bot-1"}
    assert set(by_command(compose, "worker")) == {"worker-1", "worker-2"}
    assert compose["services"]["postgres"]["image"].startswith("postgres:")
    assert compose["services"]["redis"]["image"].startswith("redis:")


def settings_of(service: dict[str, Any]) -> Settings:
    """The settings a service's environment gives (validated as the program would)."""
    fields = {
        key.lower(): value
        for key, value in environment(service).items()
        if key.lower() in Settings.model_fields
    }
    return Settings(_env_file=None, **fields)  # type: ignore[call-arg]


def test_the_bot_shards_are_distinct_and_cover_every_shard(compose: dict[str, Any]) -> None:
    bots = [settings_of(service) for service in by_command(compose, "bot").values()]
    plans = [ShardPlan.of(settings.shard_count, settings.shard_ids) for settings in bots]
    (count,) = {plan.count for plan in plans}
    assert count == len(plans) == 2
    ids = [shard for plan in plans for shard in plan.ids or ()]
    assert sorted(ids) == list(range(count))  # each shard once, none missing
    # one shared volume: a heartbeat file per process
    assert len({settings.health_file for settings in bots}) == len(bots)
    for settings in map(settings_of, by_command(compose, "worker").values()):
        assert settings.shard_count is None  # workers hold no Discord connection


def test_bots_and_workers_share_postgres_and_redis_and_read_env_from_dotenv(
    compose: dict[str, Any],
) -> None:
    apps = {**by_command(compose, "bot"), **by_command(compose, "worker")}
    for name, service in apps.items():
        env = environment(service)
        assert env["DATABASE_URL"].startswith("postgresql://playlist:secret@postgres:5432/"), name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert service["env_file"] == ".env", name
        assert service["build"] == ".", name
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }, name
    postgres = compose["services"]["postgres"]["environment"]
    url = environment(by_command(compose, "bot")["bot-0"])["DATABASE_URL"]
    assert url.endswith(f"/{postgres['POSTGRES_DB']}")
    assert url.startswith(f"postgresql://{postgres['POSTGRES_USER']}:")


def test_every_service_has_a_health_check(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in by_command(compose, "bot"):
        assert services[name]["healthcheck"]["test"] == ["CMD", "python", "-m", "bot.roots.health"]
    for name in by_command(compose, "worker"):
        # not the image's bot heartbeat check: a worker's heartbeat is in Redis
        test = services[name]["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"] and "WORKERS" in test[3], name
        compile(test[3], f"{name} healthcheck", "exec")  # valid Python
    assert services["postgres"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_data_lives_in_named_volumes(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "redis-data:/data" in services["redis"]["volumes"]
    assert set(compose["volumes"]) == {"bot-data", "postgres-data", "redis-data"}


def test_the_dockerfile_builds_what_the_services_run() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for folder in ("bot", "cogs", "storage"):
        assert f"COPY {folder} ./{folder}" in dockerfile
    assert "RUN pip install ." in dockerfile  # installs the playlist-clusters script
    assert 'CMD ["python", "-m", "bot.roots.health"]' in dockerfile


def _compose_client() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def test_compose_itself_accepts_the_file(tmp_path: Path) -> None:
    client = _compose_client()
    if client is None:
        pytest.skip("no docker compose client on this machine (the checks above still ran)")
    shutil.copy(COMPOSE, tmp_path / "docker-compose.yml")
    shutil.copy(ROOT / "Dockerfile", tmp_path / "Dockerfile")
    (tmp_path / ".env").write_text("DISCORD_TOKEN=x\nPOSTGRES_PASSWORD=secret\n", "utf-8")
    done = subprocess.run(
        [*client, "config", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    (tmp_path / ".env").write_text("DISCORD_TOKEN=x\n", "utf-8")  # no password: refused
    done = subprocess.run(
        [*client, "config", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0 and "POSTGRES_PASSWORD" in done.stderr
