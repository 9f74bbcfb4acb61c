"""The workshop notebook: committed without outputs; runs top to bottom and shows its pictures.

The notebook is executed once for the module, in a kernel of this interpreter, with its
models trained into a temporary folder (and no reference run, so that it trains), the two
models of "Why attention" for `WHY_SECONDS` seconds each instead of the room's 150. That
takes a few minutes, so those tests are marked slow.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "attention_workshop.ipynb"
FIGURES = (
    "gold-heatmap",
    "why-length",
    "why-sentence",
    "heatmap",
    "bars",
    "gold-comparison",
    "training-sheet",
    "comparison",
)
WHY_SECONDS = 10  # each model of "Why attention"
# The questions to the model: each exercise prints its answer and draws it.
QUESTIONS = ("alternatives", "force", "hide", "point", "read")
ANIMATIONS = ("animation", "training-animation")


def test_committed_notebook_has_no_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, cell.id


def test_committed_notebook_asks_for_the_python3_kernel():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert notebook.metadata.kernelspec.name == "python3"


@pytest.fixture(scope="module")
def workshop(tmp_path_factory) -> tuple[dict[str, nbformat.NotebookNode], Path]:
    """The executed notebook's code cells by id, and the folder it trained into."""
    folder = tmp_path_factory.mktemp("workshop")
    runs = folder / "runs"
    # A kernelspec of this very interpreter, found before any other named python3.
    kernel = folder / "jupyter" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3",
        "language": "python",
    }
    (kernel / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(folder / "jupyter"))
        patch.setenv("WORKSHOP_RUN_DIR", str(runs))
        patch.setenv("WORKSHOP_REFERENCE_RUN", str(folder / "no-reference"))
        patch.setenv("WORKSHOP_WHY_SECONDS", str(WHY_SECONDS))
        NotebookClient(
            notebook,
            timeout=600,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        ).execute()
    cells = {cell.id: cell for cell in notebook.cells if cell.cell_type == "code"}
    return cells, runs


def stdout(cell: nbformat.NotebookNode) -> str:
    return "".join(output.text for output in cell.outputs if output.get("name") == "stdout")


def displayed(cell: nbformat.NotebookNode, kind: str) -> list[str]:
    return [output.data[kind] for output in cell.outputs if kind in output.get("data", {})]


@pytest.mark.slow
def test_every_cell_runs_without_error(workshop):
    cells, _ = workshop
    errors = {
        name: f"{output.ename}: {output.evalue}"
        for name, cell in cells.items()
        for output in cell.outputs
        if output.output_type == "error"
    }
    assert errors == {}


@pytest.mark.slow
def test_figures_appear_as_images(workshop):
    cells, _ = workshop
    for name in FIGURES:
        assert displayed(cells[name], "image/png"), name


@pytest.mark.slow
def test_animations_appear_as_players(workshop):
    cells, _ = workshop
    for name in ANIMATIONS:
        pages = displayed(cells[name], "text/html")
        assert pages and 'class="animation"' in pages[0], name


@pytest.mark.slow
def test_translations_are_printed(workshop):
    cells, _ = workshop
    lines = stdout(cells["translate-batch"]).splitlines()
    assert len(lines) == 5 and all("→" in line for line in lines)
    assert "coche" in next(line for line in lines if line.startswith("The red car is fast."))


@pytest.mark.slow
def test_interactive_page_is_written_and_shown(workshop):
    cells, runs = workshop
    page = runs / "pages" / "workshop-sentences.html"
    assert page.is_file()
    assert "<iframe srcdoc=" in displayed(cells["page"], "text/html")[0]


@pytest.mark.slow
def test_models_are_trained_into_the_given_folder(workshop):
    _, runs = workshop
    for name in ("additive", "dot"):
        assert (runs / name / "metrics.json").is_file(), name


@pytest.mark.slow
def test_comparison_table_names_both_models(workshop):
    cells, _ = workshop
    header = stdout(cells["comparison-numbers"]).splitlines()[0]
    assert header.split() == ["additive", "dot"]


@pytest.mark.slow
def test_each_question_to_the_model_prints_its_answer_and_draws_it(workshop):
    cells, _ = workshop
    for name in QUESTIONS:
        cell = cells[f"exercise-{name}-code"]
        assert stdout(cell).strip() and displayed(cell, "image/png"), name
    assert "hidden: " in stdout(cells["exercise-hide-code"])
    assert "rank" in stdout(cells["exercise-read-code"])


@pytest.mark.slow
def test_why_attention_trains_both_models_for_the_same_seconds_and_scores_them_by_length(
    workshop,
):
    cells, runs = workshop
    for name in ("long", "long-none"):
        config = json.loads((runs / name / "config.json").read_text())
        assert (config["corpus"], config["time_budget"]) == ("embedded:long", WHY_SECONDS)
    assert json.loads((runs / "long-none" / "config.json").read_text())["attention"] == "none"
    table = stdout(cells["why-length"]).splitlines()
    assert "attention" in table[0] and "no attention" in table[0]
    assert table[2].split()[0] == "1–5"
    said = stdout(cells["why-sentence"])
    assert "reference:" in said and "no attention:" in said
