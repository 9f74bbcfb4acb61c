"""``--strategy``: training through tf.distribute."""

from __future__ import annotations

import json
import os
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


@pytest.mark.slow
def test_mirrored_strategy_trains_over_two_logical_cpus(tmp_path):
    out = tmp_path / "mirrored"
    completed = subprocess.run(
        [sys.executable, "-c", TWO_CPUS, "--out", str(out), "--strategy", "mirrored",
         "--no-pictures", "--corpus-size", "1000", "--embedding-dim", "32", "--units", "64",
         "--epochs", "2", "--batch-size", "32", "--learning-rate", "0.01"],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "on 2 replicas" in completed.stdout
    history = json.loads((out / artifacts.HISTORY).read_text())
    assert len(history["loss"]) == 2 and history["loss"][1] < history["loss"][0]
    from seq2seq import Translator

    translation = Translator.load(out).translate("The red car is fast.")
    assert translation.weights.shape == (
        len(translation.target_tokens),
        len(translation.source_tokens),
    )


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
        resolver = SimpleNamespace(task_type=task_type, task_id=task_id,
                                   cluster_spec=lambda: spec)  # fmt: skip
        return SimpleNamespace(cluster_resolver=resolver)

    workers = {"worker": ["a:1", "b:1"]}
    assert is_chief(SimpleNamespace())  # one machine
    assert is_chief(strategy("worker", 0, workers))
    assert not is_chief(strategy("worker", 1, workers))
    with_chief = {"chief": ["c:1"], **workers}
    assert is_chief(strategy("chief", 0, with_chief))
    assert not is_chief(strategy("worker", 0, with_chief))
