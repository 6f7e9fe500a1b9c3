"""Shared by the exercise tests (tracker, frontend, API): the real bundles loaded, code that passes and
code that fails, and a check that a response holds neither the reference nor a hidden expected output."""

from __future__ import annotations

import json

import numpy as np
import pytest

from grader.bundles import EXERCISES_DIR, Bundle, find_bundles, load_bundle
from tracker.models import Exercise
from tracker.services.exercises import exercises_sync

SLUG = "vector-add"
# How many exercises the repository ships (more are added by curators and new labs).
BUNDLE_COUNT = len(find_bundles(EXERCISES_DIR))
WRONG = "import numpy as np\n\n\ndef vector_add(a, b):\n    return np.full_like(a, 7.0)\n"


@pytest.fixture
def bundle() -> Bundle:
    return load_bundle(Exercise(slug=SLUG).bundle_path)


@pytest.fixture
def exercise(db: None) -> Exercise:
    exercises_sync()
    return Exercise.objects.get(slug=SLUG)


def secrets_of(bundle: Bundle) -> list[str]:
    """Texts that must never reach a learner: the reference's code lines and hidden expected values."""
    lines = [ln.strip() for ln in bundle.reference_source().splitlines()]
    found = [ln for ln in lines if len(ln) > 12 and not ln.startswith(("import ", "from ", "def ", "#"))]
    for case in bundle.hidden_cases:
        for part in bundle.expected(case).parts:
            values = np.asarray(part).ravel()[:3]
            # Both spellings: Python's float and the array dtype's own (what JSON or a diff would print).
            found += [text for v in values if float(v) not in (0.0, 1.0, -1.0) for text in (repr(float(v)), str(v))]
    # A value that the visible examples also show (say -21.0) proves nothing: keep only the distinctive ones.
    public = json.dumps(bundle.public_view().to_dict())
    found = [text for text in found if len(text) >= 6 and text not in public]
    assert len(found) >= 5, "the check would prove nothing"
    return found


def assert_no_secrets(text: str, bundle: Bundle) -> None:
    leaked = [secret for secret in secrets_of(bundle) if secret in text]
    assert not leaked, f"a learner could read these: {leaked[:5]}"
