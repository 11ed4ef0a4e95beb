"""The public partner directory: search, a partner's public profile with its Contact me form, and the
receipt page. No sign-in; the session cookie still carries the CSRF token of the form.

The Contact me form shares the JSON API's protections: the same per-address limit (web.deps.DirectoryLimiter,
keyed on web.client.client_address), a honeypot field no person fills in, and a size limit on every field.
"""

from urllib.parse import urlencode

from babel import numbers
from fastapi import APIRouter, Request
from starlette.datastructures import FormData, QueryParams
from starlette.responses import Response

from referrals.domain.checks import is_country_code
from referrals.domain.errors import InvalidInput
from referrals.domain.profile import Profile, ProfileLocation
from referrals.domain.vocab import CompanySize, Industry
from referrals.services.directory import ContactRequest, Hit, SearchQuery, contact_partner, public_profile, search
from referrals.web import session
from referrals.web.client import client_key
from referrals.web.deps import DirectoryLimiter, EngineDep, Now, ReadEngineDep
from referrals.web.pages.base import PageRoute, redirect, render
from referrals.web.pages.deps import PostedForm, language_of, tr
from referrals.web.pages.field_messages import explain_all
from referrals.web.pages.forms import text

router = APIRouter(route_class=PageRoute, include_in_schema=False)

SIZES = {s.value for s in CompanySize}
INDUSTRIES = {i.value for i in Industry}
MAX_QUERY = 200
# The JSON API's limits (web.api.directory.ContactIn), so both doors refuse the same things.
CONTACT_LIMITS = {"company": 200, "first_name": 100, "last_name": 100, "email": 320, "phone": 50, "need": 4000,
                  "country": 2, "company_size": 20, "industry": 40, "location_id": 64}
RECEIPT_KEY = "r"


def parse_search(params: QueryParams, *, limit: int = 20) -> SearchQuery:
    """The search a URL asks for; values outside the vocabularies are dropped (a shared link never breaks)."""
    country = (params.get("country") or "").strip().upper()
    size, industry = params.get("company_size") or "", params.get("industry") or ""
    return SearchQuery(
        text=(params.get("q") or "").strip()[:MAX_QUERY],
        country=country if is_country_code(country) else None,
        company_size=size if size in SIZES else None,
        industry=industry if industry in INDUSTRIES else None,
        limit=limit,
    )


def search_context(query: SearchQuery) -> dict:
    return {"query": query, "sizes": list(CompanySize), "industries": list(Industry)}


def score_format(language: str):
    """Score parts as the pages show them: two decimals in the reader's language."""
    return lambda value: numbers.format_decimal(value, format="0.00", locale=language)


def profile_link(hit: Hit, query: SearchQuery) -> str:
    """The profile, with the location the result showed and the search's facts to prefill the form."""
    pairs = [("location", hit.location.id if hit.location else ""), ("country", query.country or ""),
             ("company_size", query.company_size or ""), ("industry", query.industry or "")]
    return f"/directory/{hit.partner_id}?" + urlencode([(k, v) for k, v in pairs if v])


@router.get("/directory")
def directory_page(request: Request, engine: ReadEngineDep) -> Response:
    query = parse_search(request.query_params)
    hits = search(engine, query)
    return render(request, "directory.html", {
        **search_context(query), "results": [(hit, profile_link(hit, query)) for hit in hits],
        "searched": bool(query.text or query.country or query.company_size or query.industry),
    })


def _chosen_location(profile: Profile, location_id: str) -> ProfileLocation | None:
    for location in profile.locations:
        if location.id == location_id:
            return location
    return profile.locations[0] if profile.locations else None


def _profile_page(request: Request, profile: Profile, values: dict, errors: dict, *, problem: str | None = None,
                  status: int = 200) -> Response:
    location = _chosen_location(profile, values.get("location_id") or "")
    return render(request, "directory_profile.html", {
        "profile": profile, "location": location, "values": values, "errors": errors, "problem": problem,
        "sizes": list(CompanySize), "industries": list(Industry),
    }, status=status)


@router.get("/directory/{partner_id}")
def profile_page(request: Request, partner_id: str, engine: EngineDep) -> Response:
    profile = public_profile(engine, partner_id)
    params = request.query_params
    values = {"location_id": (params.get("location") or "")[:64]}
    query = parse_search(params)
    shown = _chosen_location(profile, values["location_id"])
    # the country searched for, else the office's own: the customer can change it, but rarely has to
    country = query.country or (shown.country if shown else "")
    values.update(country=country, company_size=query.company_size or "", industry=query.industry or "")
    return _profile_page(request, profile, values, {})


def _contact_values(form: FormData) -> dict:
    values: dict = {name: text(form, name) for name in CONTACT_LIMITS}
    values["country"] = values["country"].upper()
    values["consent"] = form.get("consent") == "yes"
    return values


def _size_problems(request: Request, values: dict) -> dict[str, str]:
    """What contact_partner does not judge itself: the lengths of the email and location id, and the
    vocabularies of the selects (it limits the length of every other field, and says so per field)."""
    too_long = tr(request, "is longer than %(max)s characters")
    problems = {name: too_long % {"max": CONTACT_LIMITS[name]} for name in ("email", "location_id")
                if len(values[name]) > CONTACT_LIMITS[name]}
    for name, allowed in (("company_size", SIZES), ("industry", INDUSTRIES)):
        if values[name] and values[name] not in allowed:
            problems.setdefault(name, tr(request, "choose a value from the list"))
    if values["country"] and not is_country_code(values["country"]):
        problems.setdefault("country", tr(request, "choose a country"))
    return problems


@router.post("/directory/{partner_id}/contact")
def contact(request: Request, partner_id: str, form: PostedForm, engine: EngineDep, now: Now,
            limiter: DirectoryLimiter) -> Response:
    profile = public_profile(engine, partner_id)
    values = _contact_values(form)
    wait = limiter.take(client_key(request))
    if wait:
        response = _profile_page(request, profile, values, {}, status=429, problem=tr(
            request, "Too many requests from your address. Wait a minute, then send the form again."))
        response.headers["Retry-After"] = str(max(1, round(wait)))
        return response
    if text(form, "website"):  # the honeypot: hidden from people, filled in by bots
        return _profile_page(request, profile, values, {}, status=422,
                             problem=tr(request, "Your request could not be sent. Please try again."))
    errors = _size_problems(request, values)
    if not errors:
        try:
            receipt = contact_partner(engine, partner_id, ContactRequest(
                location_id=values["location_id"], company=values["company"], first_name=values["first_name"],
                last_name=values["last_name"], email=values["email"], phone=values["phone"],
                country=values["country"] or None, company_size=values["company_size"] or None,
                industry=values["industry"] or None, need=values["need"], consent=values["consent"],
            ), now=now)
        except InvalidInput as error:
            fields = {key.removeprefix("customer."): message for key, message in error.fields.items()}
            errors = explain_all(language_of(request), fields or {"need": error.message})
    if errors:
        return _profile_page(request, profile, values, errors, status=422,
                             problem=tr(request, "Please correct the marked fields. Nothing was sent."))
    session.load(request).set(RECEIPT_KEY, {"partner": partner_id, "receipt": receipt})
    return redirect(f"/directory/{partner_id}/sent")


@router.get("/directory/{partner_id}/sent")
def receipt_page(request: Request, partner_id: str, engine: EngineDep) -> Response:
    """What happens next. The receipt stays in the session, so a reload shows it again and sends nothing."""
    kept = session.load(request).data.get(RECEIPT_KEY) or {}
    if kept.get("partner") != partner_id:
        return redirect(f"/directory/{partner_id}")
    profile = public_profile(engine, partner_id)
    return render(request, "directory_sent.html", {"profile": profile, "receipt": kept.get("receipt", "")})
