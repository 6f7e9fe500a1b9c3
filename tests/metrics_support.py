"""Reading metrics in tests: this process's values, and what a scrape returned."""

from __future__ import annotations

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def value(name: str, **labels: str) -> float:
    """A sample of this process's metrics (tests run without the multiprocess directory); 0 when absent."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def parse(text: str) -> Samples:
    """The samples of a scrape's text, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))
