"""Many pictures at once: drawn by worker processes, watched on a progress bar, stopped cleanly.

Each picture is a `Picture` job: which `viz` function draws it, with what, and
where. The jobs are independent and drawing is pure Python (matplotlib), so
more than a handful are drawn by worker processes, one per core.

Drawing stops when asked: Ctrl-C (SIGINT, to this process or to its whole
process group, as a terminal sends it) or SIGTERM (as ``timeout`` or a process
manager sends it) end every worker within a second or so, remove the
unfinished files (each is written under a ``.partial`` name first, see
`viz._files.write_atomically`) and raise `Stopped`, which says how many
pictures were written and where. A worker also ends by itself when the
process that started it is gone, even one killed with SIGKILL: no worker
outlives it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, NamedTuple

from viz._files import remove_partial_files

# Fewer jobs than this are drawn in this process: starting a worker (importing
# matplotlib) costs about as much as drawing one sentence's four pictures.
PARALLEL_FROM = 8
# A worker asked to stop has this long to remove its unfinished file before it is killed.
STOP_GRACE_SECONDS = 0.5
# The progress bar appears only for work that lasts longer than this.
PROGRESS_DELAY_SECONDS = 1.0
SIGNAL_NAMES = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}


class Picture(NamedTuple):
    """One file to draw: ``viz.<draw>(*arguments, path=path, **options)``."""

    path: Path
    draw: str
    arguments: tuple
    options: dict[str, Any]


class Stopped(KeyboardInterrupt):
    """Drawing stopped by a signal; its message says how many pictures were written, and where.

    ``exit_status`` is the shell's code for the signal: 130 for Ctrl-C, 143 for SIGTERM.
    """

    def __init__(self, signum: int, written: Sequence[Path], paths: Sequence[Path]):
        self.signum = signum
        self.written = list(written)
        self.total = total = len(paths)
        self.exit_status = 128 + signum
        folders = sorted({str(path.parent) for path in paths})
        super().__init__(
            f"Stopped by {SIGNAL_NAMES.get(signum, f'signal {signum}')}: "
            f"{len(self.written):,} of {total:,} pictures written to {', '.join(folders)}; "
            "no unfinished file is left."
        )

    def __str__(self) -> str:
        return str(self.args[0])


class _Signalled(BaseException):
    """Raised in this process's main thread by SIGINT or SIGTERM while pictures are drawn."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def draw_all(
    pictures: Sequence[Picture], workers: int = 1, *, progress: bool = False
) -> list[Path]:
    """Draw ``pictures``; their paths, in order.

    With ``workers`` > 1 and at least `PARALLEL_FROM` pictures, that many
    worker processes draw them. The workers are spawned, so they import the
    ``__main__`` module afresh: only a program whose main module is guarded by
    ``if __name__ == "__main__":`` (as ``train.py``, ``python -m seq2seq`` and
    ``python -m viz`` are) may ask for them. ``progress`` shows a bar on a
    terminal (tqdm) once drawing takes more than a second. A picture that fails
    raises what it raised, and a signal raises `Stopped`, both after every
    worker has ended and every unfinished file is removed.
    """
    pictures = list(pictures)
    for folder in {picture.path.parent for picture in pictures}:
        folder.mkdir(parents=True, exist_ok=True)
    workers = min(workers, len(pictures))
    written: list[Path] = []
    started = time.time()
    with _progress_bar(len(pictures) if progress else 0) as advance, _stop_on_signals():
        try:
            if len(pictures) < PARALLEL_FROM or workers < 2:
                for picture in pictures:
                    draw_one(picture)
                    written.append(picture.path)
                    advance()
            else:
                _draw_in_workers(pictures, workers, written, advance)
        except _Signalled as signalled:
            remove_partial_files(picture.path for picture in pictures)
            # A worker may have finished a file whose news it had no time to send.
            done = set(written)
            written += [
                picture.path
                for picture in pictures
                if picture.path not in done and _written_since(picture.path, started)
            ]
            raise Stopped(
                signalled.signum, written, [picture.path for picture in pictures]
            ) from None
        except BaseException:
            remove_partial_files(picture.path for picture in pictures)
            raise
    return [picture.path for picture in pictures]


def cores() -> int:
    """The cores this process may run on: as many workers as are worth starting."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def draw_one(picture: Picture) -> None:
    """Draw one picture in this process."""
    import viz

    getattr(viz, picture.draw)(*picture.arguments, path=picture.path, **picture.options)


def _written_since(path: Path, started: float) -> bool:
    try:
        return path.stat().st_mtime >= started
    except FileNotFoundError:
        return False


def _draw_in_workers(pictures: list[Picture], workers: int, written: list[Path], advance) -> None:
    # Spawned, not forked: forking a process that runs TensorFlow's threads can hang.
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_started
    )
    # No public handle on the workers before Python 3.14's terminate_workers; the pool
    # forgets them on shutdown, so they are read while it runs.
    processes: dict[int, Any] = {}
    try:
        with _signals_held():  # the workers start (on submit) with them held too
            pending = {pool.submit(_draw_in_worker, picture): picture for picture in pictures}
        while pending:
            processes |= pool._processes or {}
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                picture = pending.pop(future)
                future.result()  # raises what the worker raised
                written.append(picture.path)
                advance()
    except BaseException:
        _stop_workers(pool, processes)
        # A worker ended by a signal sent to the whole group may break the pool before
        # this process's own handler runs: report the signal, not the breakage.
        if _pending_signal is not None:
            raise _Signalled(_pending_signal) from None
        raise
    pool.shutdown()


def _stop_workers(pool: ProcessPoolExecutor, processes: dict[int, Any]) -> None:
    """Ask every worker to stop (SIGTERM), kill any still there after a grace, end the pool.

    What was queued fails with BrokenProcessPool, which nobody reads.
    """
    processes = {**processes, **(pool._processes or {})}
    for process in processes.values():
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes.values():
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes.values():
        if process.is_alive():
            process.kill()
            process.join()
    # Its own thread sees the workers gone and ends; waiting for it here, before this
    # process exits, keeps Python's exit from waking a thread that has closed its pipe.
    pool.shutdown(wait=True)


# --- in this process: signals stop drawing ---------------------------------------------

_pending_signal: int | None = None


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise `_Signalled` while pictures are drawn (main thread only).

    Only the first: a second Ctrl-C does not interrupt the clean-up the first started.
    """
    global _pending_signal
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        global _pending_signal
        if _pending_signal is None:
            _pending_signal = signum
            raise _Signalled(signum)

    _pending_signal = None
    # A signal ignored (a job started with nohup, or in the background) stays ignored.
    previous = {
        signum: signal.signal(signum, stop)
        for signum in SIGNAL_NAMES
        if signal.getsignal(signum) is not signal.SIG_IGN
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back in this thread (and processes it starts) for a moment.

    A worker starts with them held and lets them in once its own handlers are in
    place, so Ctrl-C while it imports matplotlib ends it quietly, not with a traceback.
    """
    held = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNAL_NAMES)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


@contextlib.contextmanager
def _progress_bar(total: int) -> Iterator[Any]:
    """A function to call once per picture drawn: it moves a bar on a terminal, if ``total``."""
    try:
        from tqdm import tqdm
    except ImportError:  # viz needs no more than numpy, matplotlib and seaborn
        tqdm = None
    if not total or tqdm is None:
        yield lambda: None
        return
    bar = tqdm(
        total=total,
        unit="picture",
        desc="Drawing",
        delay=PROGRESS_DELAY_SECONDS,
        disable=None,  # on a terminal only
        file=sys.stderr,
        dynamic_ncols=True,
    )
    try:
        yield bar.update
    finally:
        bar.close()


# --- in a worker process ------------------------------------------------------------------

_drawing = False
_stopping = False


class _WorkerStopped(BaseException):
    """Raised in a worker by SIGINT or SIGTERM while it draws, to remove its unfinished file."""


def _worker_started() -> None:
    """Signals end the worker; so does the end of the process that started it."""
    for signum in SIGNAL_NAMES:
        signal.signal(signum, _stop_worker)
    sys.unraisablehook = _unraisable
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), daemon=True).start()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNAL_NAMES)


def _end_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os.kill(os.getpid(), signal.SIGTERM)


def _stop_worker(signum: int, frame: Any) -> None:
    global _stopping
    if not _drawing:
        os._exit(128 + signum)
    if _stopping:
        return  # a second signal must not interrupt the clean-up of the first
    _stopping = True
    # Should the drawing code swallow the exception, the worker ends all the same.
    threading.Timer(STOP_GRACE_SECONDS / 2, os._exit, (128 + signum,)).start()
    raise _WorkerStopped(signum)  # unwinds write_atomically, which removes the file


def _unraisable(unraisable: Any) -> None:
    """Stay quiet about a stop raised where Python cannot raise (a generator being closed)."""
    if not isinstance(unraisable.exc_value, _WorkerStopped):
        sys.__unraisablehook__(unraisable)


def _draw_in_worker(picture: Picture) -> None:
    global _drawing
    try:
        _drawing = True
        draw_one(picture)
    except _WorkerStopped as stop:
        os._exit(128 + stop.args[0])
    finally:
        _drawing = False
