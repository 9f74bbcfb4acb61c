"""Many pictures at once: worker processes, and stopping them with Ctrl-C or SIGTERM."""

from __future__ import annotations

import io
import signal
import sys

import numpy as np
import pytest
from processes import (
    each_stopping_signal,
    pictures,
    signal_and_wait,
    start,
    unfinished,
    wait_for_files,
)
from samples import QUESTION, RED_CAR

import viz
from viz import batch
from viz._files import PARTIAL_NAME, partial_path, remove_partial_files
from viz.batch import PARALLEL_FROM, Picture, Stopped, draw_all

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "pthread_sigmask"), reason="POSIX signals and /proc"
)


def test_many_pictures_are_drawn_by_worker_processes_just_the_same(tmp_path):
    # Pages are quick to draw, so this times the workers, not matplotlib; test_pictures
    # draws every kind of picture through them.
    def jobs(folder: str) -> list[Picture]:
        return [
            Picture(tmp_path / folder / f"{number}.page.html", "to_html", (translation,), {})
            for number, translation in enumerate([QUESTION, RED_CAR] * 4)
        ]

    serial, parallel = jobs("serial"), jobs("parallel")
    assert len(parallel) == PARALLEL_FROM
    assert draw_all(serial) == [job.path for job in serial]
    assert draw_all(parallel, workers=2) == [job.path for job in parallel]
    for one, other in zip(serial, parallel):
        assert one.path.read_bytes() == other.path.read_bytes()


def test_a_worker_process_raises_what_the_picture_raised(tmp_path):
    bad = Picture(tmp_path / "bad.png", "plot_heatmap", ((np.ones((1, 2)), ["a"], ["b"]),), {})
    pages = [Picture(tmp_path / f"{n}.html", "to_html", (RED_CAR,), {}) for n in range(8)]
    with pytest.raises(ValueError, match=r"weights has shape \(1, 2\)"):
        draw_all([bad, *pages], workers=2)
    assert not unfinished(tmp_path)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_only(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "PROGRESS_DELAY_SECONDS", 0)
    jobs = [Picture(tmp_path / f"{n}.html", "to_html", (RED_CAR,), {}) for n in range(3)]
    monkeypatch.setattr(sys, "stderr", Terminal())
    draw_all(jobs, progress=True)
    assert "Drawing: 100%" in sys.stderr.getvalue() and "3/3" in sys.stderr.getvalue()
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a log or a pipe: no bar
    draw_all(jobs, progress=True)
    assert sys.stderr.getvalue() == ""


def test_partial_files_of_the_pictures_are_removed_and_no_others(tmp_path):
    heatmap = tmp_path / "01-the-red-car.heatmap.png"
    left_behind = partial_path(heatmap)
    someone_elses = partial_path(tmp_path / "notes.txt")
    for path in (left_behind, someone_elses, heatmap):
        path.write_bytes(b"...")
    assert PARTIAL_NAME.fullmatch(left_behind.name)
    assert remove_partial_files([heatmap, tmp_path / "other.gif"]) == [left_behind]
    assert sorted(tmp_path.iterdir()) == sorted([heatmap, someone_elses])


def test_stopped_says_what_was_written_and_where(tmp_path):
    paths = [tmp_path / f"{number}.png" for number in range(1200)]
    stopped = Stopped(signal.SIGINT, paths[:2], paths)
    assert isinstance(stopped, KeyboardInterrupt)
    assert stopped.exit_status == 130
    assert str(stopped) == (
        f"Stopped by Ctrl-C: 2 of 1,200 pictures written to {tmp_path}; no unfinished file is left."
    )
    assert Stopped(signal.SIGTERM, [], paths[:3]).exit_status == 143


@pytest.fixture
def many_records(tmp_path):
    """Sixty records: 240 pictures, a minute of drawing on two cores."""
    path = viz.write_records([RED_CAR, QUESTION] * 30, tmp_path / "records.jsonl")
    assert len(path.read_text().splitlines()) == 60
    return path


@each_stopping_signal
def test_a_signal_stops_viz_draw_and_its_workers_at_once(
    many_records, tmp_path, signum, whole_group, status, name
):
    out = tmp_path / "pictures"
    process = start("-m", "viz", "draw", str(many_records), "--out", str(out))
    wait_for_files(process, out, 1, timeout=60)
    ended = signal_and_wait(process, signum, whole_group=whole_group)
    assert ended.returncode == status, ended.stderr
    assert ended.seconds < 2.0
    assert ended.left == []
    assert unfinished(out) == []
    written = len(pictures(out))
    assert ended.stderr.strip().splitlines()[-1] == (
        f"Stopped by {name}: {written} of 240 pictures written to {out}; "
        "no unfinished file is left."
    )
    assert "Traceback" not in ended.stderr
