"""Work shared among forked processes, for commands that go through a whole store (`translator
init` checks every translation, `translator extract` renders every catalogue): pure functions of
plain data, run on every core the command may use.

Only a command forks: a server's threads could hold a lock at the moment of the fork. Where the
platform does not fork, the work is done in the calling process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@contextmanager
def forks(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """`workers` forked processes, or None (one worker asked for, or no fork on this platform).

    The forks' garbage collector must not walk, and so copy, the objects they inherit: those
    are frozen while the forks live."""
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    gc.freeze()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)
        gc.unfreeze()


# A command that goes through a whole store makes hundreds of thousands of objects (rows, entries,
# catalogues) and keeps most of them to the end: the collector, run every 700 new objects by
# default, walked them again and again (a tenth of `translator extract` after an edit, at 10,000
# units). Cycles are still collected, a hundred times less often.
COMMAND_THRESHOLD = 100_000


@contextmanager
def collecting_less() -> Iterator[None]:
    """The garbage collector run less often, for a command over a whole store."""
    before = gc.get_threshold()
    gc.set_threshold(COMMAND_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


_INHERITED: Sequence[Any] = ()  # the items of the running `map_inherited`, as the forks see them


def map_inherited(
    function: Callable[[Item], Result], items: Sequence[Item], workers: int
) -> list[Result]:
    """`function` of each item, in order, in `workers` forks that inherit the items: nothing is
    pickled on the way in (a store's rows would cost as much to pickle as to render), only the
    results on the way out."""
    chunk = max(1, len(items) // (4 * workers))
    return list(imap_inherited(function, items, workers, chunk))


def imap_inherited(
    function: Callable[[Item], Result], items: Sequence[Item], workers: int, chunk: int = 1
) -> Generator[Result, None, None]:
    """`map_inherited`, each result given as soon as it and those before it are done: the caller
    works on the first while the forks go on with the rest (`translator init` inserts one
    document while the next ones are read). Closing the generator stops the forks."""
    global _INHERITED
    with forks(workers) as pool:
        if pool is None:
            yield from (function(item) for item in items)
            return
        _INHERITED = items  # before the first task, when a forking pool starts all its processes
        try:
            calls = pool.map(_call, [function] * len(items), range(len(items)), chunksize=chunk)
        finally:
            _INHERITED = ()  # every task is submitted: the forks have their copy
        yield from calls


def _call(function: Callable[[Any], Any], index: int) -> Any:
    return function(_INHERITED[index])
