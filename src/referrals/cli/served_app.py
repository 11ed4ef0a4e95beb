"""The application `referrals serve` runs, built the same way in the one process or in each of N web processes.

With `--processes N` uvicorn spawns N fresh interpreters sharing one listening socket; each calls
`from_environment()` (uvicorn's factory), which reads the settings from the REFERRALS_* variables the parent set
(`--db` is REFERRALS_DATABASE_URL). No web process runs a job consumer: the parent does (`cli/serve.py`).
"""

import os

from fastapi import FastAPI
from sqlalchemy import Engine

from referrals.config import Settings, get_settings
from referrals.jobs import kick, retrain_quality_now, start_bulk_job
from referrals.store.db import make_engine
from referrals.web import heap
from referrals.web.app import create_app

KICK_ENV = "REFERRALS_SERVE_KICK"  # set by `referrals serve` for its web processes: "1" when jobs are consumed
FACTORY = f"{__name__}:from_environment"


def build(settings: Settings, engine: Engine, *, kicks: bool) -> FastAPI:
    app = create_app(settings, engine)
    app.state.start_bulk_job = start_bulk_job  # a worker in this process or another (--no-worker) runs it
    app.state.start_retraining = retrain_quality_now  # the program's quality page: "Retrain now"
    if kicks:  # the outbox kick is a job: queued only where some consumer takes it
        app.state.kick_outbox = kick
    heap.settle()  # a served process: the startup's objects out of the full collections' walk
    return app


def from_environment() -> FastAPI:
    """uvicorn's factory in each web process of `referrals serve --processes N`."""
    settings = get_settings()
    return build(settings, make_engine(settings.database_url), kicks=os.environ.get(KICK_ENV) == "1")
