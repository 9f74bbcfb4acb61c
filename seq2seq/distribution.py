"""``--strategy``: which `tf.distribute` strategy trains the model.

- ``default``: one device, the first GPU if there is one, else the CPU.
- ``mirrored``: one machine, a replica per GPU (or per logical CPU device where
  there is no GPU), gradients summed over replicas after each batch.
- ``multiworker``: several machines, each running the same command with its own
  ``TF_CONFIG``; a replica per device on each. Only the chief writes the run
  directory; the others write theirs to a temporary folder and delete it.
  Keras 3 needs help to ``fit`` this way (`fitting`).

``--batch-size`` is the global batch: each batch is split over the replicas.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator

import keras
import tensorflow as tf
from keras.src.backend.tensorflow import trainer as keras_trainer

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
    return _is_chief(getattr(strategy, "cluster_resolver", None))


def writes_run_directory(strategy: str) -> bool:
    """Whether training with ``--strategy strategy`` leaves this process a run directory.

    `is_chief` of the strategy that name makes, read from ``TF_CONFIG`` alone,
    so it can be asked after training without making a second strategy.
    """
    if strategy != "multiworker":
        return True
    return _is_chief(tf.distribute.cluster_resolver.TFConfigClusterResolver())


def _is_chief(resolver) -> bool:
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief


def is_multi_worker(strategy: tf.distribute.Strategy) -> bool:
    """Whether ``strategy`` trains across more than one process."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return False
    cluster = resolver.cluster_spec()
    return sum(cluster.num_tasks(job) for job in cluster.jobs if job in ("chief", "worker")) > 1


@contextlib.contextmanager
def fitting(
    model: keras.Model, strategy: tf.distribute.Strategy, batches: tf.data.Dataset
) -> Iterator[None]:
    """Where ``model.fit`` runs: as it is on one machine, around two Keras bugs on several.

    Keras 3's ``fit`` under `tf.distribute.MultiWorkerMirroredStrategy` fails
    twice (keras-team/keras#20585, tensorflow/tensorflow#72388):

    - before the first step it all-reduces the first batch across workers to
      build the model from its shapes; collective ops take no nested batch, nor
      batches padded to other lengths on other workers. So the model is built
      here, on the inputs of the first of ``batches`` (unshuffled ones, so that
      no shuffle order is drawn), its optimizer too, and it is told no
      strategy: Keras then builds nothing from data, and ``fit`` takes the
      strategy from the scope it runs in.
    - it averages each step's logs over "axis 0" of each worker's values, and
      the loss and metrics are scalars. They are averaged with no axis instead.
    """
    if not is_multi_worker(strategy):
        yield
        return
    inputs, _ = next(iter(batches))
    with strategy.scope():
        model(inputs, training=False)
        model.optimizer.build(model.trainable_variables)
    model._distribute_strategy = None
    reduce_per_replica = keras_trainer.reduce_per_replica

    def average_logs(values, strategy, reduction):
        if reduction != "auto":  # predicting: Keras' own
            return reduce_per_replica(values, strategy, reduction)
        return tf.nest.map_structure(lambda value: strategy.reduce("MEAN", value, None), values)

    keras_trainer.reduce_per_replica = average_logs
    try:
        with strategy.scope():
            yield
    finally:
        keras_trainer.reduce_per_replica = reduce_per_replica


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
