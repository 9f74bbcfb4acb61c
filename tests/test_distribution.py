"""``--strategy``: training through tf.distribute."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from seq2seq import artifacts
from seq2seq.errors import UserError

ROOT = Path(__file__).resolve().parent.parent

# The CPU split into two logical devices before TensorFlow starts, then train.py's own main.
TWO_CPUS = textwrap.dedent(
    """
    import sys
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

    from seq2seq.cli import train_main

    sys.exit(train_main(sys.argv[1:]))
    """
)


# The tiny run of the slow tests here: seconds an epoch on two cores.
TINY_FLAGS = [
    "--no-pictures",
    "--corpus-size",
    "1000",
    "--embedding-dim",
    "32",
    "--units",
    "64",
    "--epochs",
    "2",
    "--batch-size",
    "32",
    "--learning-rate",
    "0.01",
]
ENVIRONMENT = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.mark.slow
def test_mirrored_strategy_trains_over_two_logical_cpus(tmp_path):
    out = tmp_path / "mirrored"
    completed = subprocess.run(
        [sys.executable, "-c", TWO_CPUS, "--out", str(out), "--strategy", "mirrored", *TINY_FLAGS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=ENVIRONMENT,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "on 2 replicas" in completed.stdout
    history = json.loads((out / artifacts.HISTORY).read_text())
    assert len(history["loss"]) == 2 and history["loss"][1] < history["loss"][0]
    assert_translates(out)


def assert_translates(run: Path) -> None:
    from seq2seq import Translator

    translation = Translator.load(run).translate("The red car is fast.")
    assert translation.weights.shape == (
        len(translation.target_tokens),
        len(translation.source_tokens),
    )


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on now (the system picks them), for workers to listen on."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for listener in sockets:
            listener.bind(("localhost", 0))
        return [listener.getsockname()[1] for listener in sockets]


def train_on_workers(tmp_path: Path, flags: list[str]) -> list[Path]:
    """``train.py --strategy multiworker`` in two processes on this machine; their --out folders.

    Each worker has its own TF_CONFIG and, being on the same machine, its own --out.
    """
    cluster = {"worker": [f"localhost:{port}" for port in free_ports(2)]}
    outs, workers = [tmp_path / "worker-0", tmp_path / "worker-1"], []
    with contextlib.ExitStack() as stack:
        stack.callback(stop, workers)  # runs last: after a failure or timeout, too
        for index, out in enumerate(outs):
            tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
            log = stack.enter_context((tmp_path / f"worker-{index}.log").open("w"))
            command = [sys.executable, "train.py", "--out", str(out), *flags]
            workers.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env={**ENVIRONMENT, "TF_CONFIG": tf_config},
                )
            )
        for index, worker in enumerate(workers):
            code = worker.wait(timeout=300)
            output = (tmp_path / f"worker-{index}.log").read_text()
            assert code == 0, f"worker {index} failed:\n{output[-3000:]}"
    return outs


def stop(workers: list[subprocess.Popen]) -> None:
    """Kill the workers still running: one that failed leaves the other waiting for it."""
    for worker in workers:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


@pytest.mark.slow
def test_two_workers_train_like_one_and_the_chief_writes_a_run_that_translates(tmp_path):
    # Dropout off: each replica draws its own dropout masks, which one worker would not.
    flags = [*TINY_FLAGS, "--dropout", "0"]
    chief, _ = train_on_workers(tmp_path, ["--strategy", "multiworker", *flags])
    assert "on 2 replicas" in (tmp_path / "worker-0.log").read_text()
    other = (tmp_path / "worker-1.log").read_text()
    assert "Run directory" not in other and "trained beside the chief" in other
    assert not (tmp_path / "worker-1").exists()
    alone = tmp_path / "alone"
    completed = subprocess.run(
        [sys.executable, "train.py", "--out", str(alone), *flags],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=ENVIRONMENT,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    together = json.loads((chief / artifacts.HISTORY).read_text())
    single = json.loads((alone / artifacts.HISTORY).read_text())
    # Both runs start from the same weights (one seed) and step through the same global
    # batches; the two workers differ only in averaging the loss over the target tokens of
    # each half batch, then over the halves, rather than over the whole batch's tokens.
    # Measured: 0.15% and 0.37% apart after epochs 1 and 2, validation 0.01% and 0.07%. 2%
    # is five times that, and a seventh of what the loss falls in one epoch (about 15%), so
    # a chief that trained on its half alone or missed an epoch's updates would fail it.
    for name in ("loss", "val_loss"):
        assert together[name] == pytest.approx(single[name], rel=0.02), name
    assert_translates(chief)


def test_an_unreadable_tf_config_is_named(monkeypatch):
    from seq2seq.distribution import make_strategy

    monkeypatch.setenv("TF_CONFIG", "{'cluster': nope}")
    with pytest.raises(UserError, match="TF_CONFIG must be JSON"):
        make_strategy("multiworker")


def test_only_the_chief_writes():
    from types import SimpleNamespace

    from seq2seq.distribution import is_chief

    def strategy(task_type, task_id, cluster):
        spec = SimpleNamespace(as_dict=lambda: cluster)
        resolver = SimpleNamespace(task_type=task_type, task_id=task_id, cluster_spec=lambda: spec)
        return SimpleNamespace(cluster_resolver=resolver)

    workers = {"worker": ["a:1", "b:1"]}
    assert is_chief(SimpleNamespace())  # one machine
    assert is_chief(strategy("worker", 0, workers))
    assert not is_chief(strategy("worker", 1, workers))
    with_chief = {"chief": ["c:1"], **workers}
    assert is_chief(strategy("chief", 0, with_chief))
    assert not is_chief(strategy("worker", 0, with_chief))


def test_only_the_chief_is_told_of_a_run_directory_after_training(monkeypatch):
    from seq2seq.distribution import writes_run_directory

    def worker(index: int) -> str:
        cluster = {"worker": ["a:1", "b:1"]}
        return json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})

    monkeypatch.setenv("TF_CONFIG", worker(1))
    assert writes_run_directory("default") and writes_run_directory("mirrored")
    assert not writes_run_directory("multiworker")
    monkeypatch.setenv("TF_CONFIG", worker(0))
    assert writes_run_directory("multiworker")


def test_multi_worker_means_more_than_one_chief_or_worker_process():
    from types import SimpleNamespace

    import tensorflow as tf

    from seq2seq.distribution import is_multi_worker

    def strategy(cluster):
        resolver = SimpleNamespace(
            task_type="worker", cluster_spec=lambda: tf.train.ClusterSpec(cluster)
        )
        return SimpleNamespace(cluster_resolver=resolver)

    assert not is_multi_worker(tf.distribute.get_strategy())
    assert not is_multi_worker(strategy({"worker": ["a:1"]}))
    assert not is_multi_worker(strategy({"worker": ["a:1"], "ps": ["p:1"]}))
    assert is_multi_worker(strategy({"worker": ["a:1", "b:1"]}))
    assert is_multi_worker(strategy({"chief": ["c:1"], "worker": ["a:1"]}))
