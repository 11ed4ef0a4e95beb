"""Reading Prometheus series back in tests: from this process's own counters, or from a /metrics answer."""

from prometheus_client.parser import text_string_to_metric_families

from referrals import metrics


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition: (name, sorted labels) → value."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(text: str, name: str, **labels: str) -> float:
    """One sample's value, 0 when the series is absent (a counter nobody has counted yet)."""
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def own(name: str, **labels: str) -> float:
    """This process's own count (no multiprocess directory in the test process)."""
    return value(metrics.render().decode(), name, **labels)
