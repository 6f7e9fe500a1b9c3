from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.bundles import BundleError, load_bundle

DOUBLE = Path(__file__).resolve().parent / "bundles" / "double"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "double"
    shutil.copytree(DOUBLE, target)
    return target


def test_a_bundle_loads_with_its_metadata() -> None:
    bundle = load_bundle(DOUBLE)
    assert bundle.entry_point == "double"
    assert [c.name for c in bundle.visible_cases] == ["01"]
    assert [c.name for c in bundle.hidden_cases] == ["02"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('difficulty = "easy"', 'difficulty = "trivial"', "`difficulty` must be one of"),
        ("time_limit_s = 1.0", "time_limit_s = 0", "`time_limit_s` must be between"),
        ('kind = "numeric"', 'kind = "fuzzy"', "`kind` must be one of"),
        ('name = "02"', 'name = "99"', "neither cases/99.in.npz nor cases/99.in.json exists"),
        ('slug = "double"', 'slug = "other"', "equal the folder name"),
        ('entry_point = "double"', 'entry_point = "not valid"', "Python identifier"),
    ],
)
def test_invalid_metadata_is_reported_with_file_and_field(tmp_path: Path, old: str, new: str, message: str) -> None:
    bundle = _copy(tmp_path)
    meta = bundle / "exercise.toml"
    meta.write_text(meta.read_text().replace(old, new, 1))
    with pytest.raises(BundleError, match=message) as info:
        load_bundle(bundle)
    assert "exercise.toml" in str(info.value)


def test_a_missing_reference_is_reported(tmp_path: Path) -> None:
    bundle = _copy(tmp_path)
    (bundle / "reference.py").unlink()
    with pytest.raises(BundleError, match=r"reference\.py: missing"):
        load_bundle(bundle)
