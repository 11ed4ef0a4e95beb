"""The server-rendered workspace: sign-in, the lead list and detail, the action center, program pages,
the business profile and the public partner directory.

`register_pages(app)` mounts the page routers, the static files and the session (which the JSON API also
accepts, with its CSRF token in a header).
"""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def register_pages(app: FastAPI) -> None:
    from referrals.web.pages import actions, auth, directory, lead_detail, leads, profile, program, program_admin
    from referrals.web.ratelimit_signin import SignInLimiter
    from referrals.web.session import api_session_principal

    app.state.signin_limiter = SignInLimiter(app.state.settings.login_rate_limit)
    app.state.session_principal = api_session_principal
    # leads first: /leads/export.csv before /leads/{id}
    for module in (auth, leads, lead_detail, actions, program, program_admin, profile, directory):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
