"""Making a race real: both threads get past a read before either writes."""

import contextlib
import threading


def pause_after(monkeypatch, module, name: str, parties: int = 2, timeout: float = 2):
    """Patch `module.name` so each call waits, after it ran, until `parties` calls have run (on SQLite the
    second caller waits for the first's write lock instead, so the barrier times out and lets it go).
    Answers a function that puts the original back."""
    barrier = threading.Barrier(parties, timeout=timeout)
    original = getattr(module, name)

    def run_then_wait(*args, **kwargs):
        result = original(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return result

    monkeypatch.setattr(module, name, run_then_wait)
    return lambda: monkeypatch.setattr(module, name, original)
