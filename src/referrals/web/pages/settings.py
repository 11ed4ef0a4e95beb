"""The signed-in person's own settings: language, notification address and how new-lead emails arrive; their
password (the current one required; every other session ends), "sign out everywhere", and their API tokens
(created, named and revoked here; a new token is shown once)."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from referrals.domain.access import Principal
from referrals.domain.errors import InvalidInput
from referrals.domain.preferences import NewLeadEmails
from referrals.services import sessions, tokens
from referrals.services.me import my_settings, update_my_settings
from referrals.services.passwords import change_password
from referrals.web import i18n, session
from referrals.web.deps import EngineDep, Now
from referrals.web.labels import N_
from referrals.web.pages.base import PageRoute, redirect, render
from referrals.web.pages.deps import PageUser, PostedForm, language_of, tr
from referrals.web.pages.field_messages import explain_fields
from referrals.web.pages.forms import text

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# The services' field messages on these pages, as sentences in the reader's language (the others, such as "is
# required" and "is longer than 100 characters", are said by web/field_sentences.py for their field).
FIELD_MESSAGES = {
    "is not right": N_("The current password is not right."),
    "needs at least 8 characters": N_("Use at least 8 characters."),
    "does not match": N_("The two new passwords do not match."),
    "must be between 1 and 3650": N_("Enter a number of days between 1 and 3650."),
    "must be en, it or null (follow the browser)": N_("Choose a language."),
    "must be each, digest or none": N_("Choose how new-lead emails arrive."),
}
EXPIRY_CHOICES = (7, 30, 90, 365)  # days; or never


def translated(request: Request, fields: dict[str, str]) -> dict[str, str]:
    return explain_fields(language_of(request), fields, FIELD_MESSAGES)


def password(form, name: str) -> str:
    """Passwords are taken as typed: spaces count."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _settings_page(request: Request, principal: Principal, engine, now, errors: dict | None = None,
                   status: int = 200, **preferences) -> Response:
    live = sessions.live_sessions(engine, principal.user_id, now, session.lifetime(request.app.state.settings))
    own = my_settings(engine, principal)
    context = {"errors": errors or {}, "live_sessions": live, "own": own, "rhythms": list(NewLeadEmails),
               "preference_errors": {}, "preference_values": None, **preferences}
    return render(request, "settings.html", context, status=status)


@router.get("/settings")
def settings_page(request: Request, principal: PageUser, engine: EngineDep, now: Now) -> Response:
    return _settings_page(request, principal, engine, now)


@router.post("/settings/password")
def password_change(request: Request, form: PostedForm, principal: PageUser, engine: EngineDep,
                    now: Now) -> Response:
    new = password(form, "new_password")
    try:
        if new != password(form, "confirm_password"):
            raise InvalidInput("The passwords differ.", fields={"confirm_password": "does not match"})
        key = change_password(engine, principal, password(form, "current_password"), new, now=now)
    except InvalidInput as error:
        return _settings_page(request, principal, engine, now, translated(request, error.fields), status=422)
    session.renewed(request, key)
    session.load(request).flash(tr(request, "Password changed. Every other browser is signed out."))
    return redirect("/settings")


@router.post("/settings/preferences")
def preferences_change(request: Request, form: PostedForm, principal: PageUser, engine: EngineDep,
                       now: Now) -> Response:
    """Language (empty: follow the browser), notification address (empty: the sign-in address), new-lead emails."""
    changes = {"language": text(form, "language") or None, "notification_email": text(form, "notification_email"),
               "new_lead_emails": text(form, "new_lead_emails")}
    try:
        saved = update_my_settings(engine, principal, changes)
    except InvalidInput as error:
        errors = translated(request, error.fields)
        return _settings_page(request, principal, engine, now, preference_errors=errors, preference_values=changes,
                              status=422)
    # Said in the language the next page will be in.
    language = i18n.choose_language(saved.preferences.language, None, request.headers.get("accept-language"),
                                    signed_in=True)
    session.load(request).flash(i18n.gettext(language, N_("Your settings are saved.")))
    return redirect("/settings")


@router.post("/settings/sign-out-everywhere")
def sign_out_everywhere(request: Request, principal: PageUser, engine: EngineDep) -> Response:
    session.sign_out(request, engine, everywhere=principal.user_id)
    session.load(request).flash(tr(request, "You are signed out on every browser."))
    return redirect("/signin")


def _tokens_page(request: Request, principal: Principal, engine, now, *, new_token: tokens.NewToken | None = None,
                 values: dict | None = None, errors: dict | None = None, status: int = 200) -> Response:
    rows = [(row, tokens.state(row, now)) for row in tokens.own_tokens(engine, principal)]
    return render(request, "settings_tokens.html", {
        "tokens": rows, "new_token": new_token, "values": values or {}, "errors": errors or {},
        "expiry_choices": EXPIRY_CHOICES,
    }, status=status)


@router.get("/settings/tokens")
def tokens_page(request: Request, principal: PageUser, engine: EngineDep, now: Now) -> Response:
    return _tokens_page(request, principal, engine, now)


@router.post("/settings/tokens")
def token_create(request: Request, form: PostedForm, principal: PageUser, engine: EngineDep, now: Now) -> Response:
    name, days = text(form, "name"), text(form, "expires_in_days")
    try:
        if days and not days.isdigit():
            raise InvalidInput("Bad lifetime.", fields={"expires_in_days": "must be between 1 and 3650"})
        created = tokens.create_own_token(engine, principal, name=name, now=now,
                                          expires_in_days=int(days) if days else None)
    except InvalidInput as error:
        return _tokens_page(request, principal, engine, now, values={"name": name, "expires_in_days": days},
                            errors=translated(request, error.fields), status=422)
    # Rendered, not redirected: the token is shown this once and never kept, not even in the flash cookie.
    return _tokens_page(request, principal, engine, now, new_token=created, status=201)


@router.post("/settings/tokens/{token_id}/revoke")
def token_revoke(request: Request, token_id: str, principal: PageUser, engine: EngineDep, now: Now) -> Response:
    tokens.revoke_own_token(engine, principal, token_id, now=now)
    session.load(request).flash(tr(request, "Token revoked: it no longer works."))
    return redirect("/settings/tokens")
