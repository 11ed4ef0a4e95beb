"""The insights pages' charts as plain shapes (rectangles, lines, text) that `templates/insights_chart.html` draws
as SVG: server-rendered, no script, no style attribute (colours come from classes in static/app.css). Every
chart stands beside a table of its numbers; the charts only draw them."""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Shape:
    kind: str  # rect | line | text
    x: float
    y: float
    w: float = 0.0  # rect: width; line: x2
    h: float = 0.0  # rect: height; line: y2
    css: str = ""
    text: str = ""
    anchor: str = "start"
    title: str = ""  # a rectangle's tooltip


@dataclass
class Chart:
    width: int
    height: int
    shapes: list[Shape] = field(default_factory=list)

    def rect(self, x, y, w, h, css, title=""):
        self.shapes.append(Shape("rect", round(x, 1), round(y, 1), round(max(w, 0), 1), round(max(h, 0), 1), css,
                                 title=title))

    def line(self, x1, y1, x2, y2, css):
        self.shapes.append(Shape("line", round(x1, 1), round(y1, 1), round(x2, 1), round(y2, 1), css))

    def text(self, x, y, words, css="tick", anchor="start"):
        self.shapes.append(Shape("text", round(x, 1), round(y, 1), css=css, text=words, anchor=anchor))


TICKS = 5  # gridlines above zero


def nice_top(value: float) -> float:
    """A round axis top at or above a count (5, 10, 20, 50, 100, ...), so every gridline is a whole number."""
    if value <= TICKS:
        return TICKS
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 36


def _axis(chart: Chart, top: float, plot_h: float, number: Callable[[float], str]) -> None:
    for i in range(TICKS + 1):
        value = top * i / TICKS
        y = TOP + plot_h - plot_h * i / TICKS
        chart.line(LEFT, y, chart.width - RIGHT, y, "grid")
        chart.text(LEFT - 6, y + 4, number(value), anchor="end")


def stacked_bars(labels: Sequence[str], stacks: Sequence[Sequence[tuple[str, int, str]]],
                 number: Callable[[float], str], width: int = 720, height: int = 260) -> Chart:
    """One bar per label, stacked from the bottom by (css class, value, title) parts."""
    chart = Chart(width, height)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    top = nice_top(max((sum(v for _, v, _ in stack) for stack in stacks), default=0))
    _axis(chart, top, plot_h, number)
    slot = plot_w / max(len(stacks), 1)
    every = max(1, math.ceil(len(labels) * 60 / plot_w))  # a label every ~60 px
    for i, (label, stack) in enumerate(zip(labels, stacks, strict=True)):
        x, base = LEFT + i * slot + slot * 0.15, TOP + plot_h
        for css, value, title in stack:
            h = plot_h * value / top
            chart.rect(x, base - h, slot * 0.7, h, css, title)
            base -= h
        if i % every == 0:
            chart.text(x + slot * 0.35, height - BOTTOM + 16, label, anchor="middle")
    chart.line(LEFT, TOP + plot_h, width - RIGHT, TOP + plot_h, "axis")
    return chart


def columns(labels: Sequence[str], values: Sequence[int], number: Callable[[float], str], *,
            marker: int | None = None, marker_label: str = "", width: int = 720, height: int = 240) -> Chart:
    """One column per label; `marker` draws a dashed line before that column (the deadline)."""
    chart = Chart(width, height)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    top = nice_top(max(values, default=0))
    _axis(chart, top, plot_h, number)
    slot = plot_w / max(len(values), 1)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top
        chart.rect(LEFT + i * slot + slot * 0.15, TOP + plot_h - h, slot * 0.7, h, "s-answered",
                   f"{label}: {number(value)}")
        chart.text(LEFT + i * slot + slot / 2, height - BOTTOM + 16, label, anchor="middle")
    if marker is not None:
        x = LEFT + marker * slot
        chart.line(x, TOP, x, TOP + plot_h, "deadline")
        chart.text(x - 4, TOP + 12, marker_label, css="tick deadline-label", anchor="end")
    chart.line(LEFT, TOP + plot_h, width - RIGHT, TOP + plot_h, "axis")
    return chart


Bar = tuple[float | None, str]  # a share of the axis (0..1; None: no bar) and the words beside it


def paired_bars(rows: Sequence[tuple[str, Bar, Bar]], names: tuple[str, str], width: int = 720) -> Chart:
    """Horizontal bars, two per row (css s-first and s-second), each a share of the axis."""
    row, gap, label_w = 30, 10, 170
    height = TOP + len(rows) * (row + gap) + 4
    chart = Chart(width, height)
    plot_w = width - label_w - 110
    for i, (label, *bars) in enumerate(rows):
        y = TOP + i * (row + gap)
        chart.text(label_w - 8, y + row / 2 + 4, label, anchor="end")
        for j, ((share, words), css, name) in enumerate(zip(bars, ("s-first", "s-second"), names, strict=True)):
            w = 0 if share is None else plot_w * max(0.0, min(share, 1.0))
            chart.rect(label_w, y + j * row / 2, w, row / 2 - 2, css, f"{label}, {name}: {words}")
            chart.text(label_w + w + 4, y + j * row / 2 + row / 2 - 5, words, css="tick value")
    chart.line(label_w, TOP - 4, label_w, height - 4, "axis")
    return chart


def calibration(bands: Sequence[tuple[float, float, float | None, float | None]], percent: Callable[[float], str],
                width: int = 480, height: int = 320) -> Chart:
    """Actual conversion per band of predicted probability (columns), against the diagonal of a perfect score;
    a dot marks each band's mean prediction."""
    chart = Chart(width, height)
    plot_w, plot_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    _axis(chart, 1.0, plot_h, percent)
    slot = plot_w / max(len(bands), 1)
    for i, (low, high, predicted, actual) in enumerate(bands):
        if actual is not None:
            h = plot_h * actual
            chart.rect(LEFT + i * slot + 2, TOP + plot_h - h, slot - 4, h, "s-actual",
                       f"{percent(low)}–{percent(high)}: {percent(actual)}")
        if predicted is not None:
            x, y = LEFT + predicted * plot_w, TOP + plot_h - plot_h * predicted
            chart.rect(x - 3, y - 3, 6, 6, "s-predicted")
        if i % 2 == 0:
            chart.text(LEFT + i * slot, height - BOTTOM + 16, percent(low), anchor="middle")
    chart.text(LEFT + plot_w, height - BOTTOM + 16, percent(1.0), anchor="middle")
    chart.line(LEFT, TOP + plot_h, LEFT + plot_w, TOP, "diagonal")
    chart.line(LEFT, TOP + plot_h, width - RIGHT, TOP + plot_h, "axis")
    return chart
