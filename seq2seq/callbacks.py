"""The Keras callbacks that training runs with.

- `KeepBest`: after each epoch, keep the model with the lowest validation loss
  in the run directory and stop after ``patience`` epochs without progress.
- `ResumePoint`: after each epoch, everything ``--resume`` needs to go on.
- `AttentionSnapshots`: the attention on a few fixed sentences, before
  training and after each epoch, so the alignment can be watched forming.
- `StopOnInterrupt`: Ctrl-C (SIGINT) ends training after the current batch.
- `TimeBudget`: training for a given number of seconds, the learning rate
  decaying over them (``--time-budget``).

Every file is replaced atomically, so a process killed at any moment leaves
the previous version whole. An epoch cut short by Ctrl-C is not saved: its
weights have seen only part of the data.
"""

from __future__ import annotations

import math
import signal
import threading
import time
from pathlib import Path

import keras
import numpy as np

from seq2seq import artifacts


class KeepBest(keras.callbacks.Callback):
    """Save the model whenever validation loss improves; stop when it no longer does.

    Keras' ``EarlyStopping`` and ``ModelCheckpoint`` do each half of this, but
    their state starts afresh in every ``fit``, and ``ModelCheckpoint`` writes
    in place. Here the state (``best``, ``wait``) comes back after ``--resume``
    and each save is atomic, so ``model.keras`` always holds a whole model.
    """

    def __init__(self, path: Path, patience: int, best: float = math.inf, wait: int = 0):
        super().__init__()
        self.path, self.patience = path, patience
        self.best, self.wait = best, wait
        self.interrupted = False

    def on_epoch_end(self, epoch, logs=None):
        if self.interrupted:
            return
        loss = float(logs["val_loss"])
        if loss < self.best:
            self.best, self.wait = loss, 0
            artifacts.save_model(self.model, self.path)
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.model.stop_training = True

    @property
    def state(self) -> dict:
        return {"best": self.best, "wait": self.wait}


class ResumePoint(keras.callbacks.Callback):
    """After each whole epoch: the model with its optimizer, then a note of the state.

    The note (``resume/state.json``) names the model file of its epoch; it is
    written last, so a process killed between the two leaves the previous,
    consistent pair.
    """

    def __init__(self, folder: Path, state: dict, others: list):
        super().__init__()
        self.folder, self.state, self.others = folder, state, others
        self.interrupted = False
        self._seconds_before = state.get("train_seconds", 0.0)

    def on_train_begin(self, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        if self.interrupted:
            return
        self.state["train_seconds"] = self.seconds
        history = self.state.setdefault("history", {})
        for name, value in (logs or {}).items():
            history.setdefault(name, []).append(float(value))
        self.state["epoch"] = epoch + 1
        for other in self.others:
            self.state.update(other.state)
        self.folder.mkdir(exist_ok=True)
        model_name = f"epoch-{epoch + 1}.keras"
        artifacts.save_model(self.model, self.folder / model_name)
        previous = self.state.get("model")
        self.state["model"] = model_name
        artifacts.write_json(self.folder / artifacts.RESUME_STATE, self.state)
        if previous and previous != model_name:
            (self.folder / previous).unlink(missing_ok=True)

    @property
    def seconds(self) -> float:
        """Time in ``fit``, this process and those before it (a resumed run) together."""
        return self._seconds_before + time.perf_counter() - self._started


class AttentionSnapshots(keras.callbacks.Callback):
    """Record the attention on fixed probe pairs as training goes.

    Snapshots are taken before training, after each epoch and, because the
    alignment mostly forms within the first epoch, also after the fractions
    `FIRST_EPOCH` of it; each is labelled with the epochs trained so far (0.25
    is a quarter of the first). The weights are teacher-forced on each probe's
    reference translation, so the matrix has the same shape every time and an
    animation of them shows the alignment emerging. Next to them goes the
    model's own greedy translation at that point. The whole record is
    rewritten after each snapshot to ``snapshots.json``
    (`artifacts.read_snapshots` reads it back).
    """

    FIRST_EPOCH = (1 / 16, 1 / 8, 1 / 4, 1 / 2)

    def __init__(self, path: Path, probes, vectorizers, record: dict | None = None):
        super().__init__()
        self.path, self.probes, self.vectorizers = path, probes, vectorizers
        self.record = record
        self.interrupted = False

    def on_train_begin(self, logs=None):
        self._early_steps = set()
        if self.record is None:  # a fresh run: epoch 0 is the untrained model
            self.record = self._empty_record()
            self._snapshot(0)
            steps = self.params.get("steps") or 0
            self._early_steps = {round(fraction * steps) for fraction in self.FIRST_EPOCH} - {0}

    def on_train_batch_end(self, batch, logs=None):
        if batch + 1 in self._early_steps and not self.interrupted:
            self._early_steps.discard(batch + 1)
            self._snapshot(round((batch + 1) / self.params["steps"], 4))

    def on_epoch_end(self, epoch, logs=None):
        self._early_steps = set()
        if not self.interrupted:
            self._snapshot(epoch + 1)

    def _empty_record(self) -> dict:
        aligned = self._translator().align(
            [probe.source for probe in self.probes], [probe.target for probe in self.probes]
        )
        return {
            "probes": [
                {
                    "source": probe.source,
                    "target": probe.target,
                    "source_tokens": translation.source_tokens,
                    "target_tokens": translation.target_tokens,
                    "epochs": [],
                }
                for probe, translation in zip(self.probes, aligned)
            ]
        }

    def _snapshot(self, epoch: float) -> None:
        translator = self._translator()
        sources = [probe.source for probe in self.probes]
        aligned = translator.align(sources, [probe.target for probe in self.probes])
        greedy = translator.translate_batch(sources)
        for entry, teacher_forced, own in zip(self.record["probes"], aligned, greedy):
            entry["epochs"].append(
                {
                    "epoch": epoch,
                    "weights": np.round(teacher_forced.weights, 4).tolist(),
                    "translation": own.text,
                }
            )
        artifacts.write_json(self.path, self.record)

    def _translator(self):
        from seq2seq.inference import Translator

        # A new Translator each time: its compiled loop must see this epoch's weights,
        # and tracing it is cheap next to an epoch.
        if getattr(self, "_cached", None) is None or self._cached.model is not self.model:
            self._cached = Translator(self.model, self.vectorizers)
        return self._cached


class StopOnInterrupt(keras.callbacks.Callback):
    """The first Ctrl-C stops training after the current batch; a second one aborts.

    The epoch cut short is not saved (the other callbacks see ``interrupted``);
    the best model and the resume point of the last whole epoch stay.
    """

    def __init__(self, others: list):
        super().__init__()
        self.others = others
        self.interrupted = False
        self._previous = None

    def on_train_begin(self, logs=None):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._interrupt)

    def on_train_end(self, logs=None):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _interrupt(self, signum, frame):
        self.interrupted = True
        for other in self.others:
            other.interrupted = True
        self.model.stop_training = True
        # A second Ctrl-C is not caught again.
        signal.signal(signal.SIGINT, self._previous or signal.default_int_handler)
        print("\nStopping after this batch (Ctrl-C again to abort at once).", flush=True)


class TimeBudget(keras.callbacks.Callback):
    """Train for ``seconds`` of wall-clock time, the learning rate spread over them.

    The schedule of `seq2seq.training.build_model` counts steps, which a budget
    of seconds does not know in advance, so here the rate is set before every
    batch from the time spent: a linear warmup over the first ``warmup_steps``
    steps, then a cosine decay from ``learning_rate`` to ``alpha`` times it at
    the end of the budget. Once the budget is spent, training stops after the
    current batch; that last epoch is validated and kept like any other.
    ``seconds_before`` is the time a resumed run already trained.
    """

    def __init__(
        self,
        seconds: float,
        learning_rate: float,
        warmup_steps: int = 0,
        alpha: float = 0.05,
        seconds_before: float = 0.0,
    ):
        super().__init__()
        self.seconds, self.learning_rate = seconds, learning_rate
        self.warmup_steps, self.alpha = warmup_steps, alpha
        self._seconds_before = seconds_before
        self._warm_at = seconds_before if warmup_steps == 0 else None  # seconds spent at warm

    def on_train_begin(self, logs=None):
        self._started = time.perf_counter()

    def on_train_batch_begin(self, batch, logs=None):
        self.model.optimizer.learning_rate.assign(self.rate())

    def on_train_batch_end(self, batch, logs=None):
        if self.spent >= self.seconds:
            self.model.stop_training = True

    @property
    def spent(self) -> float:
        return self._seconds_before + time.perf_counter() - self._started

    def rate(self) -> float:
        """The learning rate for the next step."""
        step = int(self.model.optimizer.iterations.numpy())
        if step < self.warmup_steps:
            return self.learning_rate * (step + 1) / self.warmup_steps
        if self._warm_at is None:
            self._warm_at = self.spent
        left = max(self.seconds - self._warm_at, 1e-9)
        progress = min(1.0, (self.spent - self._warm_at) / left)
        cosine = 0.5 * (1.0 + math.cos(math.pi * progress))
        return self.learning_rate * (self.alpha + (1.0 - self.alpha) * cosine)
