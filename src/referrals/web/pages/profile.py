"""The partner's business profile: everyone in the partner reads it, Business profile admins edit it.

Locations are editable rows (loc-<row>-<field>) plus one empty row to add a location; clearing a row
removes that location."""

import re
from dataclasses import replace

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden, InvalidInput
from referrals.domain.profile import Profile, ProfileLocation, check_profile
from referrals.domain.vocab import CompanySize, Industry
from referrals.services.profiles import get_profile, save_profile
from referrals.web import session
from referrals.web.deps import EngineDep, Now
from referrals.web.pages.base import PageRoute, redirect, render
from referrals.web.pages.deps import PageUser, PostedForm, language_of, tr
from referrals.web.pages.field_messages import explain_all
from referrals.web.pages.forms import text

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LOCATION_FIELDS = ("country", "city", "address", "contact_name", "contact_email", "contact_phone")
# The JSON API's limits (web.api.directory.ProfileIn and LocationIn); the domain checks the rest.
LOCATION_LIMITS = {"country": 2, "city": 200, "address": 500, "contact_name": 200, "contact_email": 320,
                   "contact_phone": 50, "id": 64}
TEXT_LIMITS = {"name": 200, "description": 5000, "website": 300, "keywords": 6000, "products": 6000}
MAX_ROWS = 200
_ROW = re.compile(r"^loc-(\d{1,3})-(id|" + "|".join(LOCATION_FIELDS) + r")$")
_LOCATION_ERROR = re.compile(r"^locations\[(\d+)\]\.(\w+)$")


def _listed(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _rows(form: FormData) -> list[dict[str, str]]:
    """The filled-in location rows, in form order; a cleared row is a removed location."""
    rows: dict[int, dict[str, str]] = {}
    for key in form:
        found = _ROW.match(key)
        if found and int(found.group(1)) < MAX_ROWS:
            rows.setdefault(int(found.group(1)), {})[found.group(2)] = text(form, key)
    filled = [rows[i] for i in sorted(rows) if any(rows[i].get(name) for name in LOCATION_FIELDS)]
    return [{"id": row.get("id", ""), **{name: row.get(name, "") for name in LOCATION_FIELDS}} for row in filled]


def parse_profile(form: FormData) -> tuple[Profile, list[dict[str, str]]]:
    rows = _rows(form)
    places = tuple(ProfileLocation(**{**row, "country": row["country"].upper()}) for row in rows)
    profile = Profile(
        partner_id="", name=text(form, "name"), description=text(form, "description"), website=text(form, "website"),
        keywords=_listed(text(form, "keywords")), products=_listed(text(form, "products")),
        industries=tuple(v for v in form.getlist("industries") if isinstance(v, str)),
        company_sizes=tuple(v for v in form.getlist("company_sizes") if isinstance(v, str)),
        countries=tuple(v.strip().upper() for v in form.getlist("countries") if isinstance(v, str) and v.strip()),
        published=form.get("published") == "yes", locations=places,
    )
    return profile, rows


def _size_problems(request: Request, form: FormData, rows: list[dict[str, str]]) -> dict[str, str]:
    too_long = tr(request, "is longer than %(max)s characters")
    problems = {name: too_long % {"max": limit} for name, limit in TEXT_LIMITS.items() if len(text(form, name)) > limit}
    for index, row in enumerate(rows):
        for name, limit in LOCATION_LIMITS.items():
            if len(row[name]) > limit:
                problems[f"loc-{index}-{name}"] = too_long % {"max": limit}
    if len(rows) > MAX_ROWS - 1:
        problems["locations"] = tr(request, "holds at most %(max)s entries") % {"max": MAX_ROWS - 1}
    return problems


def _error_keys(fields: dict[str, str]) -> dict[str, str]:
    """The domain's "locations[2].country" is the form's loc-2-country (rows are numbered as submitted)."""
    shown: dict[str, str] = {}
    for name, message in fields.items():
        found = _LOCATION_ERROR.match(name)
        shown.setdefault(f"loc-{found.group(1)}-{found.group(2)}" if found else name, message)
    return shown


def _values(profile: Profile) -> dict:
    return {"name": profile.name, "description": profile.description, "website": profile.website,
            "keywords": ", ".join(profile.keywords), "products": ", ".join(profile.products),
            "industries": list(profile.industries), "company_sizes": list(profile.company_sizes),
            "countries": list(profile.countries), "published": profile.published}


def _page(request: Request, principal: Principal, profile: Profile, values: dict, rows: list[dict], errors: dict,
          status: int = 200) -> Response:
    empty = {"id": "", **{name: "" for name in LOCATION_FIELDS}}
    return render(request, "profile.html", {
        "profile": profile, "values": values, "rows": [*rows, empty], "errors": errors,
        "can_edit": principal.has(Role.BUSINESS_PROFILE_ADMIN),
        "sizes": list(CompanySize), "industries": list(Industry),
    }, status=status)


@router.get("/profile")
def profile_page(request: Request, principal: PageUser, engine: EngineDep) -> Response:
    profile = get_profile(engine, principal)
    rows = [{"id": loc.id, **{name: getattr(loc, name) for name in LOCATION_FIELDS}} for loc in profile.locations]
    return _page(request, principal, profile, _values(profile), rows, {})


@router.post("/profile")
def save(request: Request, form: PostedForm, principal: PageUser, engine: EngineDep, now: Now) -> Response:
    current = get_profile(engine, principal)  # a partner's person, or 403
    if not principal.has(Role.BUSINESS_PROFILE_ADMIN):
        raise Forbidden("Only a Business profile admin can edit the business profile.")
    profile, rows = parse_profile(form)
    errors = _size_problems(request, form, rows)
    try:
        if errors:
            check_profile(replace(profile, partner_id=current.partner_id))  # every problem at once
        else:
            save_profile(engine, principal, profile, now=now)
    except InvalidInput as error:
        errors = {**explain_all(language_of(request), _error_keys(error.fields)), **errors}
    if errors:
        values = {**_values(profile), "keywords": text(form, "keywords"), "products": text(form, "products")}
        return _page(request, principal, current, values, rows, errors, status=422)
    session.load(request).flash(tr(request, "Business profile saved."))
    return redirect("/profile")
