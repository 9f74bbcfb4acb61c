"""``--strategy``: which `tf.distribute` strategy trains the model.

- ``default``: one device, the first GPU if there is one, else the CPU.
- ``mirrored``: one machine, a replica per GPU (or per logical CPU device where
  there is no GPU), gradients summed over replicas after each batch.
- ``multiworker``: several machines, each running the same command with its own
  ``TF_CONFIG``; a replica per device on each. Only the chief writes the run
  directory.

``--batch-size`` is the global batch: each batch is split over the replicas.
"""

from __future__ import annotations

import json
import os

import tensorflow as tf

from seq2seq.config import STRATEGIES
from seq2seq.errors import UserError


def make_strategy(name: str) -> tf.distribute.Strategy:
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        devices = [device.name for device in tf.config.list_logical_devices("GPU")]
        if not devices:
            devices = [device.name for device in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(devices)
    if name == "multiworker":
        _check_tf_config()
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise UserError(f"--strategy must be one of {', '.join(STRATEGIES)}, got {name!r}.")


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """Whether this process writes the run directory (always, but for other workers)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief


def distribute(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """Shard by element across workers: the pairs come from memory, not from files."""
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


def _check_tf_config() -> None:
    text = os.environ.get("TF_CONFIG")
    if not text:
        return  # one worker on its own: a useful dry run
    try:
        config = json.loads(text)
        config["cluster"], config["task"]["type"], config["task"]["index"]
    except (ValueError, KeyError, TypeError):
        raise UserError(
            'TF_CONFIG must be JSON like {"cluster": {"worker": ["host:port", ...]}, '
            '"task": {"type": "worker", "index": 0}}; fix it or unset it.'
        ) from None
