"""Charts for the build report: matplotlib figures rendered to inline SVG strings.

Only matplotlib's object API is used (``Figure``, no ``pyplot``): no global figure state, no GUI backend, safe
in worker processes. Text stays text in the SVG (``svg.fonttype = "none"``), so Chinese labels are rendered by
the browser with whatever CJK font it has, even when matplotlib itself found none to measure them with.
Every data mark (bar, histogram bin) carries an id ``<chart>-mark-<n>`` so a test can count the marks.

The same inputs give the same bytes: the SVG hash salt is fixed per chart and the date metadata is left out.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import warnings
from typing import Sequence

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter

# Fonts tried in order for measuring labels. The first one installed wins; the SVG names all of them, so the
# browser picks its own. "WenQuanYi Micro Hei" is Debian's fonts-wqy-microhei (what CI installs).
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC",
             "DejaVu Sans")

# One palette for the whole report (also used by the HTML's CSS), so a colour means the same thing everywhere.
COLORS = {
    "primary": "#2f6690",  # documents, kept things
    "removed": "#d1495b",  # removed text, quarantined inputs
    "accent": "#edae49",  # a second series (raw length), mixed script
    "good": "#66a182",  # passed checks, metadata moves
    "muted": "#8d99ae",  # unknown / other
    "ink": "#1d2433",
    "grid": "#e3e7ee",
}
# Colour of a removal rule by the stage that wrote it (prefix before the dot).
RULE_STAGE_COLORS = {"artifacts": COLORS["removed"], "metadata": COLORS["good"], "structure": COLORS["accent"]}
SCRIPT_COLORS = {"simplified": COLORS["primary"], "traditional": COLORS["removed"], "mixed": COLORS["accent"]}

# Width of every chart in inches; the HTML scales the SVG to its column, so this fixes the text/graphic ratio.
FIGURE_WIDTH = 6.4
# Width of a chart that shares its row with a table (removals by rule).
NARROW_FIGURE_WIDTH = 4.6
# Height per horizontal bar, plus a fixed margin for the axis: 12 bars give a ~4 inch chart.
BAR_HEIGHT = 0.27
BAR_MARGIN = 0.75
# Labels longer than this are cut with an ellipsis (rule names are short; titles and authors can be long).
MAX_LABEL_CHARS = 28

RC = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": list(CJK_FONTS),
    "font.size": 10,
    "axes.edgecolor": COLORS["grid"],
    "axes.labelcolor": COLORS["ink"],
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#4a5468",
    "ytick.color": "#4a5468",
    "axes.unicode_minus": False,
}


class NoData(ValueError):
    """A chart was asked for with nothing to draw: the page shows a "no data" note instead of an empty axis."""


@contextlib.contextmanager
def _drawing(**extra):
    """The report's matplotlib settings; quiet about CJK glyphs missing from the measuring font.

    Without a CJK font matplotlib measures Chinese labels with a fallback font (layout slightly off) but the
    SVG keeps them as text and the browser draws them: a warning per glyph would only be noise.
    """
    with matplotlib.rc_context({**RC, **extra}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        yield


def short_label(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    """``label`` cut to ``limit`` characters with an ellipsis, ``$`` escaped (matplotlib reads ``$…$`` as math).

    >>> short_label("artifacts.nav_row")
    'artifacts.nav_row'
    >>> short_label("一二三四五六七八九十", 6)
    '一二三四五…'
    >>> print(short_label("$5"))
    \\$5
    """
    label = label if len(label) <= limit else label[: limit - 1] + "…"
    return label.replace("$", r"\$")


def _svg(figure: Figure, name: str) -> str:
    """The figure as an inline ``<svg>`` element: no XML prolog, no metadata, ids prefixed with ``name``."""
    buffer = io.StringIO()
    with _drawing(**{"svg.hashsalt": name}):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    # Several SVGs share one HTML page: make matplotlib's ids ("figure_1", "patch_2", clip paths) unique.
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{_prefixed(name, m.group(1))}"', svg)
    svg = re.sub(r'#([^")\s]+)([")])',
                 lambda m: f"#{_prefixed(name, m.group(1)) if m.group(1) in ids else m.group(1)}{m.group(2)}", svg)
    svg = re.sub(r'<svg ([^>]*?)width="[^"]+" height="[^"]+" ',
                 lambda m: f'<svg {m.group(1)}class="chart-svg" data-chart="{name}" role="img" ', svg, count=1)
    return svg.strip()


def _prefixed(name: str, element_id: str) -> str:
    return element_id if element_id.startswith(f"{name}-") else f"{name}-{element_id}"


def _new_figure(height: float, width: float = FIGURE_WIDTH) -> Figure:
    with _drawing():
        figure = Figure(figsize=(width, height))
        figure.patch.set_alpha(0)
    return figure


def _style_axes(axes, value_axis: str = "x") -> None:
    axes.set_facecolor("none")
    axes.grid(axis=value_axis, color=COLORS["grid"], linewidth=0.8)
    axes.set_axisbelow(True)
    axes.tick_params(length=0)
    locator = MaxNLocator(integer=True, nbins=6)
    (axes.xaxis if value_axis == "x" else axes.yaxis).set_major_locator(locator)


def bar_chart(name: str, labels: Sequence[str], values: Sequence[float], *, colors: Sequence[str] | None = None,
              value_labels: Sequence[str] | None = None, xlabel: str = "", width: float = FIGURE_WIDTH) -> str:
    """Horizontal bars, first label on top, each bar annotated with its value; returns an SVG string.

    >>> svg = bar_chart("demo", ["浙江省", "北京市"], [3, 1])
    >>> svg.startswith("<svg"), svg.count('id="demo-mark-'), "浙江省" in svg
    (True, 2, True)
    """
    if not labels:
        raise NoData(f"chart {name!r} has no data: show a 'no data' note instead")
    with _drawing():
        figure = _new_figure(BAR_MARGIN + BAR_HEIGHT * len(labels), width)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))[::-1]
        bars = axes.barh(positions, values, height=0.68, color=list(colors) if colors else COLORS["primary"])
        for index, bar in enumerate(bars):
            bar.set_gid(f"{name}-mark-{index}")
        axes.set_yticks(positions, [short_label(str(label)) for label in labels])
        texts = value_labels if value_labels is not None else [_number(v) for v in values]
        axes.bar_label(bars, labels=list(texts), padding=3, fontsize=8, color=COLORS["ink"])
        axes.set_xlim(0, max(max(values), 1) * 1.18)
        axes.set_ylim(-0.6, len(labels) - 0.4)
        if xlabel:
            axes.set_xlabel(xlabel)
        _style_axes(axes, "x")
        figure.tight_layout(pad=0.4)
    return _svg(figure, name)


def column_chart(name: str, labels: Sequence[str], values: Sequence[float], *, color: str | None = None,
                 ylabel: str = "") -> str:
    """Vertical bars in the given order (years); returns an SVG string.

    >>> column_chart("years", ["2019", "2020"], [2, 5]).count('id="years-mark-')
    2
    """
    if not labels:
        raise NoData(f"chart {name!r} has no data: show a 'no data' note instead")
    with _drawing():
        figure = _new_figure(2.6)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        bars = axes.bar(positions, values, width=0.7, color=color or COLORS["primary"])
        for index, bar in enumerate(bars):
            bar.set_gid(f"{name}-mark-{index}")
        step = max(1, math.ceil(len(labels) / 16))  # at most ~16 tick labels, so years never overlap
        axes.set_xticks(positions[::step], [short_label(str(label)) for label in labels][::step])
        axes.bar_label(bars, labels=[_number(v) if v else "" for v in values], padding=2, fontsize=8,
                       color=COLORS["ink"])
        axes.set_ylim(0, max(max(values), 1) * 1.2)
        if ylabel:
            axes.set_ylabel(ylabel)
        _style_axes(axes, "y")
        figure.tight_layout(pad=0.4)
    return _svg(figure, name)


def stacked_bar_chart(name: str, rows: dict[str, dict[str, int]], colors: dict[str, str]) -> str:
    """One horizontal bar per row, split into its categories (share of the row), with a legend.

    >>> stacked_bar_chart("scripts", {"before": {"simplified": 4, "traditional": 2}, "after": {"simplified": 6}},
    ...                   SCRIPT_COLORS).count('id="scripts-mark-')
    3
    """
    if not rows or not any(sum(parts.values()) for parts in rows.values()):
        raise NoData(f"chart {name!r} has no data: show a 'no data' note instead")
    categories = list(dict.fromkeys(category for parts in rows.values() for category in parts))
    with _drawing():
        figure = _new_figure(BAR_MARGIN + 0.2 + 0.42 * len(rows))
        axes = figure.add_subplot()
        positions = list(range(len(rows)))[::-1]
        mark = 0
        for category in categories:
            lefts = []
            widths = []
            for parts in rows.values():
                total = sum(parts.values()) or 1
                before = sum(v for c, v in parts.items() if categories.index(c) < categories.index(category))
                lefts.append(100 * before / total)
                widths.append(100 * parts.get(category, 0) / total)
            bars = axes.barh(positions, widths, left=lefts, height=0.6, label=short_label(category),
                             color=colors.get(category, COLORS["muted"]))
            for bar, parts in zip(bars, rows.values(), strict=True):
                count = parts.get(category, 0)
                if not count:
                    bar.set_visible(False)
                    continue
                bar.set_gid(f"{name}-mark-{mark}")
                mark += 1
                if bar.get_width() >= 8:  # a label fits inside a segment at least 8 % wide
                    axes.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2,
                              short_label(f"{category} {count}"), ha="center", va="center", color="white",
                              fontsize=8)
        axes.set_yticks(positions, [short_label(row) for row in rows])
        axes.set_xlim(0, 100)
        axes.set_xlabel("share of documents (%)")
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.45), ncol=len(categories), frameon=False,
                    fontsize=8)
        _style_axes(axes, "x")
        figure.tight_layout(pad=0.4)
    return _svg(figure, name)


def histogram_chart(name: str, series: dict[str, Sequence[int]], colors: dict[str, str], *,
                    xlabel: str = "characters") -> str:
    """Overlaid histograms of lengths on shared logarithmic bins (lengths span 10 to 100 000 characters).

    >>> svg = histogram_chart("lengths", {"raw": [100, 200, 300], "clean": [90, 180]}, {})
    >>> 'id="lengths-mark-' in svg
    True
    """
    values = [v for data in series.values() for v in data if v and v > 0]
    if not values:
        raise NoData(f"chart {name!r} has no data: show a 'no data' note instead")
    low, high = math.log10(min(values)), math.log10(max(values))
    if high - low < 0.5:  # all lengths alike: widen the range so the bars do not collapse into one sliver
        low, high = low - 0.25, high + 0.25
    bin_count = 24
    edges = [10 ** (low + (high - low) * i / bin_count) for i in range(bin_count + 1)]
    with _drawing():
        figure = _new_figure(2.7)
        axes = figure.add_subplot()
        mark = 0
        for label, data in series.items():
            positive = [v for v in data if v and v > 0]
            if not positive:
                continue
            _, _, patches = axes.hist(positive, bins=edges, alpha=0.6, label=f"{label} (n={len(positive)})",
                                      color=colors.get(label, COLORS["primary"]), edgecolor="white",
                                      linewidth=0.5)
            for patch in patches:
                if patch.get_height() > 0:
                    patch.set_gid(f"{name}-mark-{mark}")
                    mark += 1
        axes.set_xscale("log")
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _number(round(value))))
        axes.xaxis.set_minor_formatter(NullFormatter())
        axes.set_xlabel(xlabel + " (log scale)")
        axes.set_ylabel("documents")
        axes.legend(frameon=False, fontsize=8)
        _style_axes(axes, "y")
        figure.tight_layout(pad=0.4)
    return _svg(figure, name)


def _number(value: float) -> str:
    """``1234`` → ``'1,234'``; floats keep one decimal.

    >>> _number(1234), _number(2.5)
    ('1,234', '2.5')
    """
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"
