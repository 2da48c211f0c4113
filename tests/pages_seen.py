"""What a member sees of a layout page, read from a message's components.

Works on a :class:`discord.Message` (SimCord's, parsed by discord.py) and on the raw
payload the bot sent (the loopback fake Discord), so every bot test reads a page the
same way: header, track texts, their thumbnails, the footer, the map, the controls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.discord_ui.page_layout import layout_texts

V2_FLAG = 1 << 15


@dataclass
class Seen:
    """One layout page as shown."""

    texts: list[str] = field(default_factory=list)
    thumbnails: list[str] = field(default_factory=list)
    gallery: list[str] = field(default_factory=list)
    custom_ids: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    sections: int = 0

    @property
    def top(self) -> str:
        """The first text: the intro (if any) and the header."""
        return self.texts[0] if self.texts else ""

    @property
    def title(self) -> str:
        """The ``### Cluster #n · ...`` line of the header, without the ``### ``."""
        for line in self.top.splitlines():
            if line.startswith("### "):
                return line[4:]
        return ""

    @property
    def tracks(self) -> list[str]:
        """The texts between the header and the footer: one per track."""
        return self.texts[1:-1]

    @property
    def footer(self) -> str:
        """The footer without its subtext mark."""
        return self.texts[-1].removeprefix("-# ") if self.texts else ""


def _as_dicts(components: Any) -> list[dict[str, Any]]:
    return [c if isinstance(c, dict) else c.to_dict() for c in components]


def _walk(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for component in components:
        out.append(component)
        out.extend(_walk(list(component.get("components") or [])))
        if isinstance(component.get("accessory"), dict):
            out.extend(_walk([component["accessory"]]))
    return out


def seen(message: Any) -> Seen:
    """The page of ``message`` (a discord.Message or a payload dict with ``components``)."""
    raw = message.get("components", []) if isinstance(message, dict) else message.components
    components = _as_dicts(raw)
    page = Seen(texts=layout_texts(components))
    for component in _walk(components):
        kind = component.get("type")
        if kind == 9:
            page.sections += 1
        elif kind == 11:
            page.thumbnails.append(component["media"]["url"])
        elif kind == 12:
            page.gallery.extend(item["media"]["url"] for item in component.get("items", []))
        elif kind in (2, 3) and component.get("custom_id"):
            page.custom_ids.append(component["custom_id"])
            if component.get("label"):
                page.labels.append(component["label"])
    return page


def is_layout(message: Any) -> bool:
    """Whether ``message`` is a Components V2 message (no content, no embeds)."""
    if isinstance(message, dict):
        return bool(int(message.get("flags") or 0) & V2_FLAG)
    return bool(message.flags.components_v2)


def count_components(components: Any) -> int:
    """Every component, nested ones included, as Discord counts toward its 40."""
    return len(_walk(_as_dicts(components)))
