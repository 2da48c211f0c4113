"""Storage: cache, message paging state, schedules, guild settings, accounts.

All SQL of the project lives in this package. Open with :func:`open_database`: a file
path is the embedded SQLite backend (the default), a ``postgresql://`` URL the shared
PostgreSQL backend (asyncpg, imported only then).
"""

from storage.cache import CacheRepository, CacheStats
from storage.database import Database, is_postgres_url, open_database
from storage.guild_settings import GuildSettings, GuildSettingsRepository
from storage.messages import MessageRepository, MessageState
from storage.schedules import Schedule, ScheduleRepository

__all__ = [
    "CacheRepository",
    "CacheStats",
    "Database",
    "GuildSettings",
    "GuildSettingsRepository",
    "MessageRepository",
    "MessageState",
    "Schedule",
    "ScheduleRepository",
    "is_postgres_url",
    "open_database",
]
