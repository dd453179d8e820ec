"""Ctrl-C during training: stop where the training state is whole, so that it can be saved."""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped on Ctrl-C; the message says where it was saved and how to resume."""


class Interrupts:
    """SIGINT handling for the duration of training (main thread only; elsewhere a no-op).

    A Ctrl-C sets :attr:`requested`. With ``immediate`` (one process) it also raises
    ``KeyboardInterrupt`` at once, except inside a :meth:`whole` section (the parameter update and
    what must not be torn: checkpoint writes), which it waits for. Without ``immediate`` (several
    processes) nothing is raised: the loop stops at a step all processes agree on.
    """

    def __init__(self, immediate: bool):
        self.immediate = immediate
        self.requested = False
        self._inside = False
        self._installed = False
        self._previous: object = signal.SIG_DFL
        self._whole = _Whole(self)

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle) or signal.SIG_DFL
            self._installed = True
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        if self.immediate and not self._inside:
            raise KeyboardInterrupt

    def whole(self) -> _Whole:
        """A section a Ctrl-C waits for; with ``immediate``, one that came raises at its end."""
        return self._whole

    def hold(self) -> None:
        """From now on a Ctrl-C is only recorded (while the interrupted run saves itself)."""
        self.immediate = False


class _Whole:
    """The context of :meth:`Interrupts.whole` (a class, not a generator: it is entered every step)."""

    def __init__(self, interrupts: Interrupts):
        self.interrupts = interrupts

    def __enter__(self) -> None:
        self.interrupts._inside = True

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        interrupts = self.interrupts
        interrupts._inside = False
        if kind is None and interrupts.requested and interrupts.immediate:
            raise KeyboardInterrupt
