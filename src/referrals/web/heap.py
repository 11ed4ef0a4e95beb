"""A served process's heap, settled once it is built. The app, its routes' pydantic validators, SQLAlchemy, Babel's
locale data and Jinja make some 240,000 objects that live as long as the process; Python's full (oldest-generation)
collection walks every one of them, about 90 ms on the 2-core machine, and one fell every six requests of the
program's insights page (issue 15; docs/performance.md). Moved to the permanent generation after startup
(`gc.freeze`), they are not walked again; the objects requests make are collected as before.

Only a process that serves calls this: garbage in the permanent generation is never collected, so a process that
builds many apps (the tests) must not."""

import gc


def settle() -> None:
    """Collect what startup left behind, then freeze the rest (call once, when the app is built)."""
    gc.collect()
    gc.freeze()
