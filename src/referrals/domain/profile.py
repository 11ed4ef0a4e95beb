"""A partner's business profile: what it does, for whom and where (PRODUCT.md section 7)."""

from dataclasses import dataclass, field

from referrals.domain.checks import collecting, is_country_code
from referrals.domain.vocab import CompanySize, Industry

MAX_LOCATIONS_PER_COUNTRY = 5
MAX_LIST = 50


@dataclass(frozen=True)
class ProfileLocation:
    id: str
    country: str
    city: str = ""
    address: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


@dataclass(frozen=True)
class Profile:
    partner_id: str
    name: str
    description: str = ""
    website: str = ""
    keywords: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    products: tuple[str, ...] = ()  # products and services
    company_sizes: tuple[str, ...] = ()  # preferred customer company sizes
    countries: tuple[str, ...] = ()  # countries served
    published: bool = False
    locations: tuple[ProfileLocation, ...] = field(default_factory=tuple)


_LOCATION_TEXT = {"id": 64, "city": 200, "address": 500, "contact_name": 200, "contact_phone": 50}


def check_profile(profile: Profile) -> Profile:
    with collecting("The business profile is invalid") as problems:
        problems.require_text("name", profile.name, max_length=200)
        problems.limit_text("description", profile.description, max_length=5000, multiline=True)
        problems.limit_text("website", profile.website, max_length=300)
        if profile.website and not profile.website.startswith(("https://", "http://")):
            problems.add("website", "must start with https:// or http://")
        for name in ("keywords", "products"):
            values = getattr(profile, name)
            if len(values) > MAX_LIST:
                problems.add(name, f"holds at most {MAX_LIST} entries")
            if any(not v.strip() or len(v) > 100 for v in values):
                problems.add(name, "entries must be 1 to 100 characters")
            for value in values:
                problems.check_text(name, value)
        for name, allowed in (("industries", set(Industry)), ("company_sizes", set(CompanySize))):
            unknown = [v for v in getattr(profile, name) if v not in allowed]
            if unknown:
                problems.add(name, f"unknown values: {', '.join(unknown)}")
        bad = [c for c in profile.countries if not is_country_code(c)]
        if bad:
            problems.add("countries", f"not ISO 3166 alpha-2 codes: {', '.join(bad)}")
        per_country: dict[str, int] = {}
        for index, location in enumerate(profile.locations):
            if not is_country_code(location.country):
                problems.add(f"locations[{index}].country", "must be an ISO 3166 alpha-2 code")
            per_country[location.country] = per_country.get(location.country, 0) + 1
            for part, limit in _LOCATION_TEXT.items():
                problems.limit_text(f"locations[{index}].{part}", getattr(location, part), max_length=limit)
            problems.require_email(f"locations[{index}].contact_email", location.contact_email, required=False)
        crowded = [c for c, n in per_country.items() if n > MAX_LOCATIONS_PER_COUNTRY]
        if crowded:
            problems.add(
                "locations", f"at most {MAX_LOCATIONS_PER_COUNTRY} locations per country ({', '.join(crowded)})"
            )
        if profile.published and not profile.locations:
            problems.add("published", "a published profile needs at least one location")
    return profile
