"""The shared look: fonts, sizes and colours for a projector or for a paper.

Every plotting function takes ``style="projector"`` (the default: large fonts,
high contrast, for a room) or ``style="paper"`` (smaller fonts, for a page).
Settings apply through a local ``matplotlib.rc_context``; global rcParams are
never changed.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import matplotlib
from matplotlib.colors import Colormap, to_hex

# Tried in order for each character: DejaVu Sans covers Latin, Greek and
# Cyrillic (á, ñ, ¿, ç, œ); the others draw CJK and symbols where installed.
FONT_FALLBACKS = (
    "DejaVu Sans",
    "Noto Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "WenQuanYi Zen Hei",
    "Noto Sans Symbols 2",
    "Noto Emoji",
    "Symbola",
)

# Below this, labels are unreadable even up close.
SMALLEST_FONT = 6.0
# No sheet of several charts grows wider than this (inches).
SHEET_MAX_INCHES = 22.0
# Width of an average character of DejaVu Sans, as a fraction of the font size.
CHARACTER_WIDTH = 0.6
# A label measured wider than this many times its guess by `CHARACTER_WIDTH` is sized as measured.
WIDE_LABEL_RATIO = 1.25
# Slanted axis labels may reach this far past the end of their axis (inches), into a margin
# that layout can give them; a long word further would squeeze the plot to nothing.
SLANT_OVERHANG_INCHES = 1.0


@dataclass(frozen=True)
class Style:
    """Sizes (points and inches) and colours shared by every picture."""

    tick_size: float  # token labels on the axes
    label_size: float  # axis and colour bar labels
    title_size: float
    annotation_size: float  # numbers inside heatmap cells
    cell_inches: float  # side of one heatmap cell for a short sentence
    max_matrix_inches: float  # the matrix never grows past this; long sentences get smaller cells
    dpi: int
    # Perceptually uniform and colour-blind safe; light at 0 so the few cells
    # that matter stand out dark, which a washed-out projector still shows.
    colormap: str = "mako_r"
    # Okabe-Ito vermillion and blue: distinct under every common colour blindness.
    highlight: str = "#D55E00"
    bar: str = "#0072B2"


STYLES: dict[str, Style] = {
    "projector": Style(
        tick_size=16,
        label_size=15,
        title_size=18,
        annotation_size=12,
        cell_inches=0.6,
        max_matrix_inches=11.0,
        dpi=100,
    ),
    "paper": Style(
        tick_size=9,
        label_size=9,
        title_size=10,
        annotation_size=7,
        cell_inches=0.32,
        max_matrix_inches=6.0,
        dpi=150,
    ),
}


def get_style(name: str) -> Style:
    """The `Style` called ``name``; a ValueError names the known ones otherwise."""
    try:
        return STYLES[name]
    except (KeyError, TypeError):
        known = ", ".join(repr(known) for known in STYLES)
        raise ValueError(f"style {name!r} is unknown; expected one of {known}.") from None


@functools.cache
def font_family() -> list[str]:
    """The installed fonts of `FONT_FALLBACKS`, in order (matplotlib warns about absent ones)."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in FONT_FALLBACKS if name in installed] or ["sans-serif"]


def rc_context(style: Style):
    """A ``matplotlib.rc_context`` with the style's fonts; text stays text in SVG and PDF."""
    return matplotlib.rc_context(
        {
            "font.family": font_family(),
            "font.size": style.label_size,
            "axes.titlesize": style.title_size,
            # Titles sit above the source labels and their axis label; keep them apart.
            "axes.titlepad": style.label_size,
            "axes.labelsize": style.label_size,
            "xtick.labelsize": style.tick_size,
            "ytick.labelsize": style.tick_size,
            # Tokens are text, never markup: a token with two "$" is not mathtext, a
            # backslash or a "%" is not LaTeX.
            "text.parse_math": False,
            "text.usetex": False,
            "svg.fonttype": "none",
            "pdf.fonttype": 42,
        }
    )


def colormap(style: Style) -> Colormap:
    """The style's colour map (seaborn registers it, so seaborn loads on first use, not import)."""
    import seaborn.cm  # noqa: F401  (registers "mako" and "rocket" with matplotlib)

    return matplotlib.colormaps[style.colormap]


def text_colour_on(rgba: tuple[float, float, float, float]) -> str:
    """Dark grey or white, whichever reads better on ``rgba``: seaborn's rule for its heatmaps'
    numbers, so the numbers an animation rewrites match the ones seaborn wrote."""
    from seaborn.utils import relative_luminance

    return ".15" if relative_luminance(rgba) > 0.408 else "w"


def colour_stops(style: Style, count: int = 11) -> list[tuple[str, str]]:
    """``count`` evenly spaced (background, text) hex colours of the colour map, weight 0 to 1.

    The HTML page colours with these, so it matches the heatmaps.
    """
    cmap = colormap(style)
    stops = []
    for position in range(count):
        rgba = cmap(position / (count - 1))
        stops.append((to_hex(rgba), to_hex(text_colour_on(rgba))))
    return stops


def label_inches(labels: list[str], font_size: float) -> float:
    """Roughly how wide the longest of ``labels`` is when drawn at ``font_size`` points.

    Counted in characters of `CHARACTER_WIDTH`, a guess that layout corrects by a
    little; where the font makes a label much wider than that (``W``, ideographs,
    emoji), too wide for layout to absorb, its measured width instead.
    """
    estimate = max(len(label) for label in labels) * CHARACTER_WIDTH
    widest = max(_width_in_ems(label) for label in set(labels))
    return (widest if widest > WIDE_LABEL_RATIO * estimate else estimate) * font_size / 72


def text_inches(text: str, font_size: float) -> float:
    """How wide ``text`` is drawn at ``font_size`` points: at least its `CHARACTER_WIDTH` guess."""
    return max(len(text) * CHARACTER_WIDTH, _width_in_ems(text)) * font_size / 72


def drawn_inches(text: str, font_size: float) -> float:
    """How wide the widest line of ``text`` is drawn at ``font_size`` points, as measured."""
    return max(map(_width_in_ems, text.splitlines() or [""])) * font_size / 72


def line_characters(text: str, inches: float, font_size: float, least: int) -> int:
    """How many characters of ``text`` a line ``inches`` wide holds at ``font_size`` points
    (at least ``least``): counted in `CHARACTER_WIDTH`, or in the text's own average
    character where its letters are wider (``W``, ideographs)."""
    words = "".join(text.split())
    average = _width_in_ems(words) / len(words) if words else CHARACTER_WIDTH
    return max(least, int(inches * 72 / (max(CHARACTER_WIDTH, average) * font_size)))


@functools.lru_cache(maxsize=4096)
def _width_in_ems(label: str) -> float:
    """The width of ``label`` in the style's fonts (one line), in multiples of the font size."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a missing glyph is reported when it is drawn
        width, _, _ = text_to_path.get_text_width_height_descent(
            label, FontProperties(family=font_family(), size=72), ismath=False
        )
    return width / 72


def label_rotation(labels: list[str], font_size: float, spacing: float) -> float:
    """Degrees to turn labels ``spacing`` inches apart: 0 if they fit level, else 45 or 90.

    Slanted labels lean towards the end of ``labels``; where they would reach more
    than `SLANT_OVERHANG_INCHES` past the last one's place, they stand upright.
    """
    if label_inches(labels, font_size) <= 0.9 * spacing:
        return 0.0
    # Slanted labels sit closer together (spacing * sin 45°); when that is too tight, go vertical.
    if font_size / 72 > 0.5 * spacing:
        return 90.0
    slant = math.cos(math.radians(45))
    reach = max(
        label_inches([label], font_size) * slant - (len(labels) - position - 0.5) * spacing
        for position, label in enumerate(labels)
    )
    return 90.0 if reach > SLANT_OVERHANG_INCHES else 45.0
