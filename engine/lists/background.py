"""Run a generator in a child process and iterate its items here, so both cores work.

An import parses rows (Python, one core) while SQLite writes the previous batch (another
core): the parser runs in a forked child and hands its batches over a pipe.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import TypeVar

T = TypeVar("T")
_ITEM, _ERROR, _DONE = "item", "error", "done"


class ChildDied(RuntimeError):
    """The child process ended without finishing or reporting an error (killed, out of memory)."""


def iterate_in_child(produce: Callable[[], Iterator[T]]) -> Iterator[T]:
    """The items of ``produce()``, computed in a child process one item ahead of the caller.

    The child is forked, so ``produce`` may close over anything (an open file, a locator);
    only the items cross the pipe. An exception in the child is raised here, and the child
    is stopped when the caller stops iterating, whatever the reason.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(produce, sender), daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                child.join()
                raise ChildDied(f"the parser process stopped unexpectedly (exit code {child.exitcode})") from None
            if kind == _DONE:
                return
            if kind == _ERROR:
                raise payload
            yield payload
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _produce(produce: Callable[[], Iterator[object]], sender: Connection) -> None:
    try:
        for item in produce():
            sender.send((_ITEM, item))
        sender.send((_DONE, None))
    except KeyboardInterrupt:
        return  # Ctrl-C reaches the parent too; it rolls back
    except Exception as exc:  # noqa: BLE001 - every failure is handed to the parent
        sender.send((_ERROR, _transferable(exc)))
    finally:
        sender.close()


def _transferable(exc: Exception) -> Exception:
    """``exc`` itself when it survives pickling, else a RuntimeError with its message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any pickling failure means: send the message instead
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
