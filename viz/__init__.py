"""Pictures of attention: where a sequence-to-sequence model looked while it translated.

Every function takes a ``Translation`` (anything with ``weights``,
``source_tokens`` and ``target_tokens``) or a tuple ``(weights, source_tokens,
target_tokens)``, where ``weights`` has shape ``(len(target_tokens),
len(source_tokens))``. Nothing here imports TensorFlow.

- `plot_heatmap`: the weight matrix as a heatmap (target rows, source columns).
- `animate_attention`: the heatmap filling in row by row, one frame per decoding step.
- `plot_token_bars`: the weights behind one target token as bars, or small multiples of all.
- `to_html`: a standalone interactive page; point at a target word to see what it read.
- `plot_grid`: several sentences' heatmaps on one sheet with a shared colour bar.
- `plot_hypotheses`: the n best hypotheses of one sentence side by side, with their scores.
- `plot_comparison`: one sentence as several models attended to it, side by side.
- `plot_alternatives`: the most probable words at each decoding step, the word written
  highlighted: what else the model could have written, and how surprised it was
  (`viz.whatif`; the heatmap marks hidden, forced and pointed words).
- `animate_training` / `plot_training`: one sentence's attention after each epoch of
  training, as an animation or a sheet of chosen epochs. These take the snapshots
  ``(weights_by_epoch, source_tokens, target_tokens)`` rather than a ``Translation``.
- `plot_scores_by_length`: a score against source length, one line per model, the counts
  below (Bahdanau et al., 2015, Figure 2); it takes buckets of scores, not a ``Translation``.
- `write_report`: a printable HTML report of sentences, their pictures and the run's numbers.
- `AttentionRecord`, `read_records`, `write_records`: the attention as versioned JSON
  (one record per line), from this project or any other model; see `viz.record`.
  ``python -m viz draw RECORDS.jsonl --to png,gif,html --out DIR`` draws them (`viz.draw`).

Figures are returned (``matplotlib.figure.Figure``, never pyplot's global
state) and written only when ``path=`` is given, in the format its extension
names. ``style="projector"`` (default) or ``"paper"`` picks the look; see `STYLES`.

Every picture shows a token by one rule, `viz.labels.label`: as the characters it
is (never mathtext or markup), invisible characters escaped, cut to 30 characters
with an ellipsis. `viz.kinds` is the table of the pictures a record gets, and
`viz.batch` draws many of them in worker processes, stopped cleanly by Ctrl-C.
"""

from viz.animation import animate_attention
from viz.bars import plot_token_bars
from viz.compare import plot_comparison
from viz.grid import plot_grid, plot_hypotheses
from viz.heatmap import plot_heatmap
from viz.html import to_html
from viz.length import plot_scores_by_length
from viz.record import AttentionRecord, RecordError, read_records, write_records
from viz.report import write_report
from viz.style import STYLES
from viz.training import animate_training, plot_training
from viz.whatif import plot_alternatives

__all__ = [
    "STYLES",
    "AttentionRecord",
    "RecordError",
    "animate_attention",
    "animate_training",
    "plot_alternatives",
    "plot_comparison",
    "plot_grid",
    "plot_heatmap",
    "plot_hypotheses",
    "plot_scores_by_length",
    "plot_token_bars",
    "plot_training",
    "read_records",
    "to_html",
    "write_records",
    "write_report",
]
