"""The dashboard names choices with the models' own labels, in the learner's language; where it words
them on purpose, it names the same values as the model."""

from __future__ import annotations

import pytest
from django.utils import translation

from frontend.labels import DASHBOARD_WORDING, LABELS, MODEL_CHOICES, choices, label
from tracker.models import Progress


@pytest.mark.parametrize("group", sorted(DASHBOARD_WORDING))
def test_the_dashboards_own_wording_names_exactly_the_models_values(group):
    model, names = DASHBOARD_WORDING[group]
    assert list(names) == [str(value) for value in model.values]


@pytest.mark.parametrize("group", sorted(MODEL_CHOICES))
def test_model_labels_are_the_dashboards_in_every_language(group):
    model = MODEL_CHOICES[group]
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert choices(group) == [(str(value), str(name)) for value, name in model.choices]


def test_labels_follow_the_language_and_unknown_values_show_as_they_are():
    with translation.override("zh-hans"):
        assert label("progress", Progress.Status.REVIEW) == "复习中"
        assert label("weekday", 0) == "星期一"
        assert label("tier", "T2") == "T2 — 应当掌握"
    with translation.override("en"):
        assert label("progress", "review") == Progress.Status.REVIEW.label == "In review"
        assert label("level", 3) == "Proficient"
    assert label("progress", "unheard-of") == "unheard-of" and label("nope", "x") == "x"
    assert set(LABELS) == {*MODEL_CHOICES, *DASHBOARD_WORDING, "weekday"}
