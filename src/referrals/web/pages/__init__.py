"""The server-rendered workspace: sign-in (and a forgotten password), one's settings and API tokens, the lead
list and detail, the action center, program pages, the business profile and the public partner directory.

`register_pages(app)` mounts the page routers and the static files. The pages' session is also accepted
by the JSON API, with its CSRF token in a header (web.session.api_session_principal, set up by create_app).
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def register_pages(app: FastAPI) -> None:
    from referrals.web.pages import (
        actions,
        auth,
        directory,
        imports,
        insights,
        invite,
        lead_detail,
        leads,
        password,
        profile,
        program,
        program_admin,
        program_quality,
        settings,
        team,
        webhooks,
    )

    # leads first: /leads/export.csv before /leads/{id}
    for module in (auth, password, settings, leads, lead_detail, actions, program, program_admin, program_quality,
                   profile, directory, insights, team, invite, webhooks, imports):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    from referrals.web.pages.favicon import router as favicon_router

    app.include_router(favicon_router)
