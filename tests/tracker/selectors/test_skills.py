"""Skills with the learner's own level."""

from __future__ import annotations

import pytest

from tests.factories import SkillAssessmentFactory, SkillFactory, TrackFactory, UserFactory
from tracker.selectors import skills_matrix, skills_with_level

pytestmark = pytest.mark.django_db


def test_skills_carry_the_learners_level_and_only_tracks_they_may_open():
    user = UserFactory()
    skill = SkillFactory(tier="T3")
    public, private = TrackFactory(), TrackFactory(owner=UserFactory())
    skill.tracks.add(public, private)
    SkillAssessmentFactory(user=user, skill=skill, level=3)
    SkillAssessmentFactory(skill=skill, level=1)  # someone else's
    (row,) = skills_matrix(user=user)
    assert row.my_level == 3 and row.visible_tracks == [public]
    (row,) = skills_with_level(user=UserFactory())
    assert row.my_level is None
