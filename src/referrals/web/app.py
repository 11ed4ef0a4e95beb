"""The FastAPI application factory."""

from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine, text

from referrals import __version__
from referrals.config import Settings, get_settings
from referrals.store.db import make_engine


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPIOffline:
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)
    app = FastAPIOffline(
        title="Referrals",
        version=__version__,
        description="Partner referral workspace: leads routed from a program to its partners.",
    )
    app.state.settings = settings
    app.state.engine = engine

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    return app
