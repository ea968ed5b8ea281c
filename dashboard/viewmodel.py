"""Texts as data: what a view model says, with its links and emphasis, before it is rendered.

A view model (map, profile, overview, ...) returns `Notice`s and `Text` runs built from these
parts; `dashboard.components.render` turns them into components. Tests read them as plain text
(`plain()`), so a sentence is checked once, whatever the layout around it.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Link:
    text: str
    href: str
    external: bool = False


@dataclass(frozen=True)
class Strong:
    text: str


Part = str | Link | Strong


@dataclass
class Notice:
    """A boxed message: kind 'info', 'warning' or 'error'."""
    parts: list = field(default_factory=list)
    kind: str = "info"

    @classmethod
    def of(cls, *parts: Part, kind: str = "info") -> "Notice":
        return cls(list(parts), kind)


def plain(parts) -> str:
    """The text of parts (a Notice, a list of parts, or one part)."""
    if isinstance(parts, Notice):
        parts = parts.parts
    if isinstance(parts, (Link, Strong)):
        return parts.text
    if isinstance(parts, str):
        return parts
    return "".join(plain(p) for p in parts or [])
