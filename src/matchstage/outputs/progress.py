"""Progress of a run, reported to whoever listens: nothing in the library, a bar on stderr in the CLI."""

from __future__ import annotations

from typing import Protocol

from matchstage.i18n import _


class Progress(Protocol):
    def message(self, text: str) -> None: ...

    def start(self, label: str, total: int) -> None: ...

    def advance(self, steps: int = 1) -> None: ...

    def stop(self) -> None: ...


class Silent:
    """The library's default: says nothing."""

    def message(self, text: str) -> None:
        pass

    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass

    def stop(self) -> None:
        pass


class TerminalProgress:
    """A progress bar on stderr (rich), shown only when stderr is a terminal."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._console = Console(stderr=True)
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                             console=self._console, transient=True, auto_refresh=False)
        self._task: int | None = None

    def message(self, text: str) -> None:
        self._console.print(_("matchstage: {text}").format(text=text), style="dim", highlight=False)

    def start(self, label: str, total: int) -> None:
        if not self._bar.live.is_started:
            self._bar.start()
        self._task = self._bar.add_task(label, total=total)

    def advance(self, steps: int = 1) -> None:
        if self._task is not None:
            # Refreshed here rather than by rich's timer thread: workers are forked while the bar is shown.
            self._bar.advance(self._task, steps)  # type: ignore[arg-type]
            self._bar.refresh()

    def stop(self) -> None:
        if self._task is not None:
            self._bar.remove_task(self._task)  # type: ignore[arg-type]
            self._task = None
        if self._bar.live.is_started:
            self._bar.stop()


def for_terminal(quiet: bool) -> Progress:
    """A bar when a person watches stderr; silence when piped, redirected, or asked to be quiet."""
    import sys

    return TerminalProgress() if not quiet and sys.stderr.isatty() else Silent()
