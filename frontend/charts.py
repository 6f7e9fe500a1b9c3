"""Server-rendered SVG charts: the year heatmap of study days and a burn-up chart per track.

Built as strings in Python rather than in templates: a year is 365 cells and the Progress page must stay
fast. Every piece of text goes through `escape`; the colours come from the stylesheet (classes), so the
charts follow dark mode. Both scale with their container (viewBox) and stay readable at 375 px.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.dateformat import format as date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tracker.selectors.stats import DayStat

CELL = 12
GAP = 3
STEP = CELL + GAP
LEFT = 30
TOP = 18


def heat_level(stat: DayStat) -> int:
    """0 for a day without study, then 1..4 by how much was done (items finished and reviews rated)."""
    count = stat.items_done + stat.reviews
    if count == 0:
        return 0
    if count <= 2:
        return 1
    if count <= 4:
        return 2
    if count <= 7:
        return 3
    return 4


def _day_title(day: dt.date, stat: DayStat, no_study: str) -> str:
    if not stat.active:
        return no_study % {"date": day.isoformat()}
    parts = [
        ngettext("%(n)d item done", "%(n)d items done", stat.items_done) % {"n": stat.items_done},
        ngettext("%(n)d review", "%(n)d reviews", stat.reviews) % {"n": stat.reviews},
        _("%(n)d min") % {"n": stat.minutes},
    ]
    return f"{day.isoformat()}: " + ", ".join(parts)


def heatmap_svg(days: Sequence[tuple[dt.date, DayStat]]) -> SafeString:
    """A contribution-calendar style grid: one column per week (Monday on top), one cell per day."""
    if not days:
        return mark_safe("")
    first = days[0][0]
    offset = first.weekday()
    weeks = (offset + len(days) + 6) // 7
    width = LEFT + weeks * STEP
    height = TOP + 7 * STEP
    active = sum(1 for _day, stat in days if stat.active)
    label = ngettext(
        "Study days in the last year: %(n)d day with study",
        "Study days in the last year: %(n)d days with study",
        active,
    ) % {"n": active}
    out = [
        f'<svg class="heatmap" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}">'
    ]
    # Weekday labels on Monday, Wednesday and Friday rows, in the active language.
    monday = first - dt.timedelta(days=offset)
    for row in (0, 2, 4):
        name = date_format(monday + dt.timedelta(days=row), "D")
        out.append(f'<text class="hm-label" x="0" y="{TOP + row * STEP + CELL - 2}">{escape(name)}</text>')
    no_study = _("%(date)s: no study")
    last_month: int | None = None
    last_label_column = -10
    for index, (day, stat) in enumerate(days):
        column, row = divmod(offset + index, 7)
        x, y = LEFT + column * STEP, TOP + row * STEP
        if day.month != last_month:
            last_month = day.month
            # Above the first full week of the month; skipped when it would crowd the previous label.
            label_column = column if row == 0 else column + 1
            if label_column - last_label_column >= 3 and label_column < weeks:
                out.append(
                    f'<text class="hm-label" x="{LEFT + label_column * STEP}" y="11">'
                    f"{escape(date_format(day, 'M'))}</text>"
                )
                last_label_column = label_column
        out.append(
            f'<rect class="hm{heat_level(stat)}" x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2">'
            f"<title>{escape(_day_title(day, stat, no_study))}</title></rect>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 -- numbers and escaped text only


@dataclass(frozen=True)
class BurnUp:
    """What one track's burn-up chart shows: done items over time against the scope and the target."""

    start: dt.date
    today: dt.date
    total: int
    done_by_day: Sequence[tuple[dt.date, int]]  # cumulative, oldest first
    target: dt.date | None = None
    projected: dt.date | None = None


def cumulative(per_day: Sequence[tuple[dt.date, int]]) -> list[tuple[dt.date, int]]:
    """(day, items finished that day), in any order, to (day, items done so far), oldest first."""
    steps: list[tuple[dt.date, int]] = []
    total = 0
    for day, count in sorted(per_day):
        total += count
        if steps and steps[-1][0] == day:
            steps[-1] = (day, total)
        else:
            steps.append((day, total))
    return steps


W, H = 320, 170
PAD_L, PAD_R, PAD_T, PAD_B = 34, 12, 12, 34
# A projection years away would flatten everything else; beyond this it is stated in words only.
MAX_SPAN = dt.timedelta(days=730)


def burnup_svg(chart: BurnUp, *, title: str) -> SafeString:
    """Lines: the scope (all items), the ideal pace to the target (dashed), the items done (solid),
    the projection from today to the forecast finish (dotted), and a mark for today."""
    start = min([chart.start, *(d for d, _n in chart.done_by_day[:1])])
    end = max(chart.today, chart.target or chart.today)
    if chart.projected and chart.projected - start <= MAX_SPAN:
        end = max(end, chart.projected)
    end = max(end, start + dt.timedelta(days=7))
    span = (end - start).days or 1
    top = max(chart.total, 1)

    def x(day: dt.date) -> float:
        return round(PAD_L + (W - PAD_L - PAD_R) * (day - start).days / span, 1)

    def y(n: int) -> float:
        return round(H - PAD_B - (H - PAD_T - PAD_B) * n / top, 1)

    done_now = chart.done_by_day[-1][1] if chart.done_by_day else 0
    label = _("%(title)s: %(done)d of %(total)d items done") % {"title": title, "done": done_now, "total": chart.total}
    out = [f'<svg class="burnup" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(label)}">']
    # Axes and their labels.
    out.append(f'<line class="bu-axis" x1="{PAD_L}" y1="{y(0)}" x2="{W - PAD_R}" y2="{y(0)}"/>')
    out.append(f'<line class="bu-axis" x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{y(0)}"/>')
    out.append(f'<text class="bu-label" x="{PAD_L - 4}" y="{y(0)}" text-anchor="end">0</text>')
    out.append(f'<text class="bu-label" x="{PAD_L - 4}" y="{y(top) + 4}" text-anchor="end">{chart.total}</text>')
    out.append(f'<text class="bu-label" x="{PAD_L}" y="{H - PAD_B + 14}">{escape(start.isoformat())}</text>')
    out.append(
        f'<text class="bu-label" x="{W - PAD_R}" y="{H - PAD_B + 14}" text-anchor="end">'
        f"{escape(end.isoformat())}</text>"
    )
    # Scope.
    out.append(f'<line class="bu-scope" x1="{PAD_L}" y1="{y(top)}" x2="{W - PAD_R}" y2="{y(top)}"/>')
    # The ideal line to the target.
    if chart.target and chart.target > start:
        out.append(f'<line class="bu-ideal" x1="{x(start)}" y1="{y(0)}" x2="{x(chart.target)}" y2="{y(chart.total)}"/>')
        out.append(
            f'<text class="bu-label bu-target" x="{x(chart.target)}" y="{H - PAD_B + 27}" text-anchor="middle">'
            f"{escape(_('target'))}</text>"
        )
    # Done, as steps up to today.
    points = [(x(start), y(0))]
    level = 0
    for day, count in chart.done_by_day:
        points.append((x(day), y(level)))
        level = count
        points.append((x(day), y(level)))
    points.append((x(chart.today), y(level)))
    out.append('<polyline class="bu-done" points="' + " ".join(f"{px},{py}" for px, py in points) + '"/>')
    # The forecast from today to the projected finish.
    if chart.projected and chart.projected <= end and chart.total > level:
        out.append(
            f'<line class="bu-projected" x1="{x(chart.today)}" y1="{y(level)}" '
            f'x2="{x(chart.projected)}" y2="{y(chart.total)}"/>'
        )
    out.append(f'<line class="bu-today" x1="{x(chart.today)}" y1="{PAD_T}" x2="{x(chart.today)}" y2="{y(0)}"/>')
    # Beside the today line, inside the plot, so it never sits on the axis labels.
    near_end = x(chart.today) > W - PAD_R - 40
    anchor, dx = ("end", -3) if near_end else ("start", 3)
    out.append(
        f'<text class="bu-label" x="{x(chart.today) + dx}" y="{PAD_T + 18}" text-anchor="{anchor}">'
        f"{escape(_('today'))}</text>"
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 -- numbers and escaped text only
