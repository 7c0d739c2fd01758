"""Where the simulator reports its progress (the CLI passes a rich progress bar)."""

from __future__ import annotations

from typing import Protocol


class ProgressSink(Protocol):
    def start(self, phase: str, total: int) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class Silent:
    def start(self, phase: str, total: int) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass
