from __future__ import annotations

import pytest

from tests.factories import ItemFactory, UserFactory
from tracker.models import Progress
from tracker.services.progress import ProgressError
from tracker.services.progress_status import progress_set_status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", [["doing"], ["done"], ["skipped"], ["done", "todo"], ["done", "doing"], ["skipped", "doing"]]
)
def test_each_status_is_reached_from_the_one_before(path: list[str]) -> None:
    user, item = UserFactory(), ItemFactory()
    for status in path:
        progress = progress_set_status(user=user, item=item, status=status)
    assert progress.status == path[-1]
    stored = Progress.objects.get(user=user, item=item)
    assert stored.status == path[-1]
    assert (stored.done_at is not None) == (path[-1] == "done")


def test_todo_clears_the_start_of_a_started_item() -> None:
    user, item = UserFactory(), ItemFactory()
    progress_set_status(user=user, item=item, status="doing")
    progress_set_status(user=user, item=item, status="done")
    progress = progress_set_status(user=user, item=item, status="todo")
    assert progress.status == "todo" and progress.started_at is None


def test_review_cannot_be_set_directly() -> None:
    with pytest.raises(ProgressError, match="rate it"):
        progress_set_status(user=UserFactory(), item=ItemFactory(), status="review")


def test_setting_the_current_status_changes_nothing() -> None:
    user, item = UserFactory(), ItemFactory()
    first = progress_set_status(user=user, item=item, status="done")
    again = progress_set_status(user=user, item=item, status="done")
    assert again.done_at == first.done_at
