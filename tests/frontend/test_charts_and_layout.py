"""The SVG charts and the plan's lanes, as pure functions."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from frontend.charts import BurnUp, burnup_svg, cumulative, heat_level, heatmap_svg
from frontend.plan_layout import lay_out, month_weeks
from frontend.templatetags.markdown import render_markdown
from tracker.selectors.stats import DayStat

MONDAY = dt.date(2026, 3, 2)


def test_heat_levels_grow_with_the_work_done():
    assert [heat_level(DayStat(items_done=n)) for n in (0, 1, 3, 6, 9)] == [0, 1, 2, 3, 4]


def test_the_heatmap_has_a_cell_per_day_with_its_title_escaped():
    days = [(MONDAY + dt.timedelta(days=n), DayStat(items_done=n % 3)) for n in range(365)]
    svg = str(heatmap_svg(days))
    assert svg.count("<rect") == 365 and 'role="img"' in svg
    assert "2026-03-02: no study" in svg and "2026-03-03: 1 item done, 0 reviews, 0 min" in svg


def test_the_burnup_escapes_the_title_and_draws_the_target_line():
    chart = BurnUp(
        start=MONDAY,
        today=MONDAY + dt.timedelta(days=10),
        total=20,
        done_by_day=cumulative([(MONDAY + dt.timedelta(days=3), 2), (MONDAY + dt.timedelta(days=1), 1)]),
        target=MONDAY + dt.timedelta(days=30),
        projected=MONDAY + dt.timedelta(days=40),
    )
    svg = str(burnup_svg(chart, title="<b>CUDA</b>"))
    assert "&lt;b&gt;CUDA&lt;/b&gt;: 3 of 20 items done" in svg and "<b>" not in svg
    assert "bu-ideal" in svg and "bu-projected" in svg
    assert cumulative([(MONDAY, 2), (MONDAY, 1)]) == [(MONDAY, 3)]


def entry(track, day, priority, kind="new"):
    return SimpleNamespace(
        item=SimpleNamespace(track=track, pk=id(object())),
        enrollment=SimpleNamespace(priority=priority),
        enrollment_id=priority,
        date=day,
        kind=kind,
        minutes=30,
        status="planned",
    )


def test_a_track_that_finishes_hands_its_lane_to_the_next_one():
    a, b, c = (SimpleNamespace(pk=n) for n in (1, 2, 3))
    entries = [entry(a, MONDAY, 1), entry(b, MONDAY, 2), entry(a, MONDAY + dt.timedelta(days=1), 1)]
    entries += [entry(c, MONDAY + dt.timedelta(days=2), 3), entry(b, MONDAY + dt.timedelta(days=2), 2)]
    layout = lay_out(entries, start=MONDAY, end=MONDAY + dt.timedelta(days=6), slots=2, today=MONDAY)
    assert len(layout.lanes) == 2
    assert [t.pk for t in layout.lanes[0].tracks] == [1, 3] and [t.pk for t in layout.lanes[1].tracks] == [2]
    assert layout.totals[0].minutes == 60 and layout.totals[0].is_today
    weeks = month_weeks(layout.totals)
    assert len(weeks) == 1 and weeks[0][0].day == MONDAY


def test_markdown_is_sanitised():
    html = render_markdown("# T\n<img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](https://x.org)")
    assert "<img" not in html and "javascript:" not in html.replace("[a](javascript:alert(1))", "")
    assert 'href="https://x.org" rel="noopener noreferrer nofollow"' in html
