"""Settings people keep themselves: their language, the address their notification emails go to and how
new-lead emails arrive; and, for a partner's Referrals admins, the partner's preferred notification address.
Who receives what from these settings is services.notifications' business: here they are only kept."""

from typing import Any

from sqlalchemy import Engine

from referrals.domain.access import Principal
from referrals.domain.enums import Role
from referrals.domain.errors import Forbidden, NotFound
from referrals.domain.preferences import changed, checked_address
from referrals.store import partner_settings, users
from referrals.store.db import reading, writing
from referrals.store.users import Own


def my_settings(engine: Engine, principal: Principal) -> Own:
    with reading(engine) as conn:
        found = users.own(conn, principal.user_id)
    if found is None:  # deactivated between the authentication and this read
        raise NotFound("No such user.")
    return found


def update_my_settings(engine: Engine, principal: Principal, changes: dict[str, Any]) -> Own:
    """Change any of language, notification_email and new_lead_emails; the others stay. All or nothing."""
    with writing(engine) as conn:
        found = users.own(conn, principal.user_id)
        if found is None:
            raise NotFound("No such user.")
        preferences = changed(found.preferences, changes)
        users.set_preferences(conn, principal.user_id, preferences)
    return found._replace(preferences=preferences)


def set_notification_email_for(engine: Engine, email: str, address: str | None) -> str | None:
    """The operator's way (CLI): where this user's notification emails go; None means their sign-in address."""
    kept = checked_address(address)
    with writing(engine) as conn:
        found = users.account(conn, email)
        if found is None:
            raise NotFound(f"No user with the email {email.strip().lower()}.")
        users.set_notification_email(conn, found.id, kept)
    return kept


def _admin_partner(principal: Principal) -> str:
    if principal.partner_id is None or not principal.has(Role.REFERRALS_ADMIN):
        raise Forbidden("The partner's settings are for its Referrals admins.")
    return principal.partner_id


def partner_notification_email(engine: Engine, principal: Principal) -> str | None:
    partner_id = _admin_partner(principal)
    with reading(engine) as conn:
        return partner_settings.notification_email(conn, partner_id)


def set_partner_notification_email(engine: Engine, principal: Principal, address: str | None) -> str | None:
    """The partner's preferred address for new-lead emails (None: the usual recipients)."""
    partner_id = _admin_partner(principal)
    kept = checked_address(address)
    with writing(engine) as conn:
        partner_settings.set_notification_email(conn, partner_id, kept)
    return kept
