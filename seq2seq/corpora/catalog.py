"""Translation datasets through tensorflow-datasets: ``tfds:NAME[/CONFIG]``.

tensorflow-datasets downloads, caches (under ``--data-dir``) and versions the
data; this module finds which two text features are the languages, reads the
dataset's own splits and turns its examples into `Pair` objects.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from urllib.parse import urlparse

from seq2seq.config import Config
from seq2seq.corpora.pairs import Corpus, Pair, select, split
from seq2seq.errors import UserError

EXAMPLE = "tfds:ted_hrlr_translate/pt_to_en"
# tensorflow-datasets retries a failed connection 10 times with exponential backoff:
# offline, that is three and a half minutes of warnings before the error. Two
# retries still ride out a hiccup and fail in about a second when there is no network.
DOWNLOAD_RETRIES = 2


def load(name: str, config: Config) -> Corpus:
    """The dataset ``name`` of the tensorflow-datasets catalog, as a split `Corpus`."""
    import tensorflow_datasets as tfds

    try:
        builder = tfds.builder(name, data_dir=config.data_dir)
    except tfds.core.registered.DatasetNotFoundError:
        raise UserError(
            f"tensorflow-datasets has no dataset {name!r}; pick a translation dataset of its "
            f"catalog (e.g. {EXAMPLE}) or give a pairs file with --corpus tsv:PATH."
        ) from None
    except ValueError as error:  # an unknown config, a malformed name
        raise UserError(
            f"tensorflow-datasets cannot open {name!r} ({_first_line(error)}); "
            f"check the name after tfds:, e.g. {EXAMPLE}."
        ) from None
    source, target = languages(builder.info, f"tfds:{name}", config)
    advice = (
        "run once with network access (tensorflow-datasets keeps the data under --data-dir), "
        "or give the pairs as a file with --corpus tsv:PATH"
    )
    return read_builder(builder, source, target, config, f"tfds:{name}", advice)


def languages(info, name: str, config: Config) -> tuple[str, str]:
    """The (source, target) feature keys: the flags', else the dataset's supervised keys.

    Any two text features will do (a ``Translation`` feature is a dict of them);
    ``--reverse`` is applied later, to the pairs.
    """
    import tensorflow_datasets as tfds

    features = info.features
    items = features.items() if isinstance(features, tfds.features.FeaturesDict) else []
    texts = sorted(key for key, feature in items if isinstance(feature, tfds.features.Text))
    if len(texts) < 2:
        raise UserError(
            f"{name} has no translation feature (two text features to pair up); pick a "
            f"translation dataset such as {EXAMPLE}, or give a pairs file with tsv:PATH."
        )
    if config.source_language is not None:
        chosen = (config.source_language, config.target_language)
        for key in chosen:
            if key not in texts:
                raise UserError(
                    f"{name} has no language {key!r}; its languages are {', '.join(texts)}."
                )
        if chosen[0] == chosen[1]:
            raise UserError("--source-language and --target-language must differ.")
        return chosen
    keys = info.supervised_keys
    if isinstance(keys, (tuple, list)) and len(keys) == 2 and all(key in texts for key in keys):
        return keys[0], keys[1]
    raise UserError(
        f"{name} does not say which way it translates; choose with --source-language and "
        f"--target-language among {', '.join(texts)}."
    )


def read_builder(
    builder, source: str, target: str, config: Config, name: str, advice: str
) -> Corpus:
    """Download and prepare ``builder``'s data, and split its ``source``→``target`` pairs.

    The dataset's own validation and test splits are used where it has them;
    what it lacks is carved out of its train split by `split`. ``--max-length``
    and ``--max-pairs`` apply to each split read; ``--reverse`` swaps the sides.
    """
    prepare(builder, name, advice)
    available = set(builder.info.splits)
    # Mocked datasets (tfds.testing.mock_data) know no splits and serve any name.
    if available and "train" not in available:
        raise UserError(
            f"{name} has no train split (only {', '.join(sorted(available))}); "
            "pick a dataset to train on."
        )

    def read(part: str) -> list[Pair]:
        pairs = _pairs(builder, part, source, target)
        if config.reverse:
            pairs = (pair.reversed() for pair in pairs)
        return list(select(pairs, config.max_length, config.max_pairs))

    own = {part: read(part) for part in ("validation", "test") if part in available}
    carved = split(
        name,
        read("train"),
        0.0 if "validation" in own else config.validation_fraction,
        0.0 if "test" in own else config.test_fraction,
        config.seed,
    )
    return Corpus(
        name + (" reversed" if config.reverse else ""),
        carved.train,
        own.get("validation", carved.validation),
        own.get("test", carved.test),
    )


def prepare(builder, name: str, advice: str) -> None:
    """``builder.download_and_prepare()``; a failed download is a `UserError` with ``advice``."""
    import requests
    import tensorflow_datasets as tfds

    try:
        with _few_download_retries():
            builder.download_and_prepare()
    except (requests.exceptions.RequestException, tfds.download.DownloadError) as error:
        request = getattr(error, "request", None)
        if isinstance(error, requests.exceptions.ConnectionError) and request is not None:
            reason = f"no connection to {urlparse(request.url).hostname}"
        else:
            reason = _first_line(error)
        raise UserError(f"Downloading {name} failed ({reason}); {advice}.") from None


def _pairs(builder, part: str, source: str, target: str) -> Iterator[Pair]:
    """The examples of split ``part`` as pairs, in the dataset's order; blank ones skipped."""
    import tensorflow_datasets as tfds

    for example in tfds.as_numpy(builder.as_dataset(split=part, shuffle_files=False)):
        source_text = example[source].decode("utf-8").strip()
        target_text = example[target].decode("utf-8").strip()
        if source_text and target_text:
            yield Pair(source_text, target_text)


@contextlib.contextmanager
def _few_download_retries() -> Iterator[None]:
    from tensorflow_datasets.core.download import downloader

    saved = downloader.MAX_RETRIES
    downloader.MAX_RETRIES = DOWNLOAD_RETRIES
    try:
        yield
    finally:
        downloader.MAX_RETRIES = saved


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
