"""The wire format between bot processes and workers: requests, results, errors, events.

Everything crossing Redis is plain data (dicts of str, int, float, bool, bytes), never
one of our classes, so a bot and a worker of slightly different versions still
understand each other and nothing but data is ever unpickled into our types.

- A job's argument is :meth:`AnalysisRequest.to_wire` plus the bot's reply channel.
- A job's result is ``{"key": cache key, "cached": bool}``, ``{"error": ...}`` for a
  :class:`~bot.errors.UserError` (its class and sentence, re-raised as the same class
  in the bot), or ``{"failed": job id}`` for a bug (the worker logged it under that id).
- Progress reaches the bot as events on its own pub/sub channel (one per bot process,
  so two bots never see each other's jobs): ``started``, ``progress`` and ``done``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

import orjson
import zstandard

from bot.errors import InputTooLarge, UserError
from bot.locales import N_
from bot.model import AnalysisOptions, PlaylistRef

#: The arq queue (a sorted set of job ids by enqueue time); not arq's default name, so a
#: Redis shared with other arq applications keeps the jobs apart.
QUEUE = "playlist-clusters:queue"
#: The one job function workers register.
JOB_FUNCTION = "analyse_playlist"
#: Jobs running now, by their queue score: with the queue it gives a job's place in line.
STARTED = "playlist-clusters:started"
#: Live workers: worker id -> time of its last heartbeat (Unix seconds).
WORKERS = "playlist-clusters:workers"
#: Jobs being run: job id -> the id of the worker running it (a hash), so a bot can
#: tell from the heartbeats that the worker running its job died.
RUNNING = "playlist-clusters:running"
#: A job given up on because its worker died (prefix + job id): a worker that was only
#: stalled and comes back does not answer it (the job was run again elsewhere).
ABANDONED_PREFIX = "playlist-clusters:abandoned:"
#: A bot process's pub/sub channel is this prefix + its instance id.
REPLY_PREFIX = "playlist-clusters:reply:"
#: A worker beats this often; one silent for WORKER_ALIVE_SECONDS counts as gone.
HEARTBEAT_SECONDS = 5.0
WORKER_ALIVE_SECONDS = 20.0

Kind = Literal["link", "csv", "ref"]
EventType = Literal["started", "progress", "done"]


@dataclass(frozen=True, slots=True)
class AnalysisRequest:
    """One analysis asked for: what the worker needs to run it as the bot would have.

    ``link``: what the member typed (``text``) and who they are (``user_id``, for their
    own Spotify account); ``csv``: the uploaded file's bytes and name (the bytes travel
    in the job, compressed; the bot has already bounded them by ``CSV_MAX_BYTES``);
    ``ref``: a known playlist (a weekly schedule's).
    """

    kind: Kind
    options: AnalysisOptions
    text: str = ""
    user_id: int | None = None
    ref: PlaylistRef | None = None
    name: str = ""
    data: bytes = b""

    def to_wire(self) -> dict[str, Any]:
        """Plain data for the job's argument (CSV bytes zstd-compressed)."""
        return {
            "kind": self.kind,
            "k": self.options.k,
            "metadata_weight": self.options.metadata_weight,
            "complete": self.options.complete,
            "text": self.text,
            "user_id": self.user_id,
            "ref": None if self.ref is None else [self.ref.source, self.ref.id],
            "name": self.name,
            "data": zstandard.ZstdCompressor(level=3).compress(self.data) if self.data else b"",
        }

    @classmethod
    def from_wire(cls, wire: dict[str, Any], *, max_bytes: int) -> AnalysisRequest:
        """The request a job carries; CSV data larger than ``max_bytes`` is refused."""
        ref = wire.get("ref")
        data = wire.get("data") or b""
        if data:
            data = _decompress(data, max_bytes)
        return cls(
            kind=wire["kind"],
            options=AnalysisOptions(
                k=wire.get("k"),
                metadata_weight=wire["metadata_weight"],
                # (absent from an older bot's job: answer within the budgets, as it asked)
                complete=bool(wire.get("complete", False)),
            ),
            text=wire.get("text", ""),
            user_id=wire.get("user_id"),
            ref=None if ref is None else PlaylistRef(ref[0], ref[1]),
            name=wire.get("name", ""),
            data=data,
        )


def _decompress(data: bytes, max_bytes: int) -> bytes:
    """The CSV bytes, never more than ``max_bytes`` of them whatever the frame claims."""
    reader = zstandard.ZstdDecompressor().stream_reader(data)
    out = reader.read(max_bytes + 1)
    if len(out) > max_bytes:
        limit = round(max_bytes / 1e6, 4)
        raise InputTooLarge(
            N_("The file is over the limit of {limit} MB."),
            limit=int(limit) if limit.is_integer() else limit,
        )
    return out


# -- errors ----------------------------------------------------------------------------


def _names(cls: type) -> list[str]:
    """``module.Qualname`` of ``cls`` and its bases up to UserError, most specific first."""
    return [
        f"{c.__module__}.{c.__qualname__}"
        for c in cls.__mro__
        if isinstance(c, type) and issubclass(c, UserError)
    ]


def error_to_wire(error: UserError) -> dict[str, Any]:
    """A user error as plain data: its class (and bases) and its sentence."""
    said = {k: v for k, v in error.values.items() if isinstance(v, str | int | float)}
    return {
        "classes": _names(type(error)),
        "message": str(error),
        # the message id and its values, so the bot can say it in the member's language
        "id": error.message if len(said) == len(error.values) else "",
        "values": said,
    }


def _user_error_classes() -> Iterator[type[UserError]]:
    seen: set[type] = set()
    stack: list[type[UserError]] = [UserError]
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        yield cls
        stack.extend(cls.__subclasses__())


def error_from_wire(wire: dict[str, Any]) -> UserError:
    """The same kind of error with the same sentence, so the bot answers it as if it had
    raised it itself (and e.g. the weekly clock tells a passing failure from a lasting one).

    The class is found by name among the UserError classes this process knows (the most
    specific known one); it is made without its own ``__init__``, whose arguments are the
    worker's business: only the sentence travels.
    """
    known = {f"{c.__module__}.{c.__qualname__}": c for c in _user_error_classes()}
    cls: type[UserError] = UserError
    for name in wire.get("classes", []):
        if name in known:
            cls = known[name]
            break
    error = cls.__new__(cls)
    Exception.__init__(error, str(wire.get("message", "")))
    values = wire.get("values")
    if isinstance(wire.get("id"), str) and wire["id"] and isinstance(values, dict):
        error.message, error.values = wire["id"], values
    return error


# -- events ------------------------------------------------------------------------------


def reply_channel(instance: str) -> str:
    """The pub/sub channel of the bot process ``instance``."""
    return REPLY_PREFIX + instance


def encode_event(job_id: str, kind: EventType, **fields: Any) -> bytes:
    return orjson.dumps({"job": job_id, "type": kind, **fields})


def decode_event(data: bytes | str) -> dict[str, Any] | None:
    """An event as a dict, or None for anything that is not one of ours."""
    try:
        event = orjson.loads(data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(event, dict) or not isinstance(event.get("job"), str):
        return None
    return event
