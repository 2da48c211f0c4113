"""SQLite storage (aiosqlite): cache, message paging state, schedules, guild settings.

All SQL of the project lives in this package. Open with :meth:`Database.open`.
"""

from storage.cache import CacheRepository, CacheStats
from storage.database import Database
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
]
