"""Progress bars for the build's steps (parse per source, geometry, mission, write).

Shown only on a terminal (stderr is a TTY); in tests, CI logs and pipes nothing is printed, so
their output stays the build's one summary line. ETL_PROGRESS=1 / 0 forces them on / off.
Bars are redrawn only when a step advances (no refresh thread), so forking the parse workers
never copies a thread that holds the console.
"""
from __future__ import annotations

import os
import sys


def enabled() -> bool:
    forced = os.environ.get("ETL_PROGRESS")
    if forced in ("0", "1"):
        return forced == "1"
    return sys.stderr.isatty()


class Steps:
    """`with Steps() as steps: t = steps.add("parse", total=11); steps.advance(t, "parse: ons_wellbeing")`."""

    def __init__(self, on: bool | None = None):
        self._bars = None
        if enabled() if on is None else on:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bars = Progress(TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=Console(stderr=True), auto_refresh=False)
        self._started = False

    def __enter__(self) -> "Steps":
        return self

    def __exit__(self, *exc) -> None:
        if self._started:
            self._bars.refresh()
            self._bars.stop()
            self._started = False

    def add(self, name: str, total: int = 1):
        """A new bar; the display starts with the first one (nothing shows for a skipped build)."""
        if self._bars is None:
            return None
        if not self._started:
            self._bars.start()
            self._started = True
        task = self._bars.add_task(name, total=total)
        self._bars.refresh()
        return task

    def advance(self, task, description: str | None = None, by: int = 1) -> None:
        if self._bars is None or task is None:
            return
        self._bars.update(task, advance=by, **({"description": description} if description else {}))
        self._bars.refresh()
