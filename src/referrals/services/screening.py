"""Judges a lead's contact details and quality when it arrives.

Called for every lead, 100,000 at a time in bulk ingestion, so nothing here queries the database per
lead: the block list, the current quality model and the settings are loaded once per engine and
reused for CACHE_SECONDS, or until `invalidate()` (called by the block-list and training services
when they change something; other processes see the change when their cache expires).

Screening also keeps bounded in-process caches keyed by personal data (phone verdicts, local parts of addresses,
folded names). An erasure clears them in its own process at once (`forget_people`); every other process clears them
when it next reloads its context, at most CACHE_SECONDS later, because the reload sees a newer `erasures` row than
the last one it knew (a shared invalidation through the database, one indexed read a minute).
"""

import threading
import time
import weakref
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from referrals.domain.enums import EmailValidity
from referrals.domain.lead import Customer, Origin, Screening
from referrals.domain.quality import DEFAULT_LINE, PRIOR, QualityModel, assess
from referrals.domain.quality_features import LeadFacts, forget_cached_names
from referrals.domain.quality_line import Line
from referrals.domain.validity import (
    EmailVerdict,
    PhoneVerdict,
    content_spam_reasons,
    forget_cached_contacts,
    judge_email,
    judge_phone,
)
from referrals.store.blocklist import entries_and_reasons
from referrals.store.privacy import latest_erasure
from referrals.store.quality import newest_params

CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class ScreeningContext:
    """What screening needs besides the lead itself, loaded once and shared."""

    blocked: frozenset[str] = frozenset()
    blocked_reasons: dict[str, str] | None = None
    model: QualityModel = PRIOR
    threshold: float = DEFAULT_LINE.threshold  # the High/Low line in use (line_of)
    check_dns: bool = False
    dns_timeout: float = 2.0
    loaded_at: float = 0.0
    generation: int = 0


_contexts: "weakref.WeakKeyDictionary[Engine, ScreeningContext]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_generation = 0
_erasure_seen: list[str | None] = [None]  # the newest erasure this process has cleared its caches for


def forget_people() -> None:
    """Clear this process's caches keyed by personal data, and its screening context."""
    forget_cached_contacts()
    forget_cached_names()
    invalidate()


def _forget_if_erased(conn: Connection) -> None:
    newest = latest_erasure(conn)
    if newest != _erasure_seen[0]:
        if _erasure_seen[0] is not None or newest is not None:
            forget_cached_contacts()
            forget_cached_names()
        _erasure_seen[0] = newest


def invalidate() -> None:
    """Forget the loaded block list and model everywhere in this process."""
    global _generation
    with _lock:
        _generation += 1


def load_model(conn: Connection) -> QualityModel:
    """The newest trained model, or the priors when nothing was trained (or it cannot be read)."""
    params = newest_params(conn)
    if params is None:
        return PRIOR
    try:
        return QualityModel.from_params(params)
    except (KeyError, TypeError, ValueError):
        return PRIOR


def line_of(model: QualityModel, fixed: float | None = None) -> Line:
    """The line labels use: the operator's fixed line (REFERRALS_QUALITY_THRESHOLD) when set, otherwise the one
    stored with the model in use (a model trained before lines were stored has the default one)."""
    if fixed is not None:
        return Line(fixed, "fixed", model.line.base_rate if model.line else None)
    return model.line or DEFAULT_LINE


def line_in_use(engine: Engine) -> Line:
    """The line in use, from this process's screening cache (a query at most once a CACHE_SECONDS)."""
    from referrals.config import get_settings
    from referrals.store.db import reading

    context = _contexts.get(engine)
    if context is None or context.generation != _generation or time.monotonic() - context.loaded_at > CACHE_SECONDS:
        with reading(engine) as conn:
            context = context_for(conn)
    return line_of(context.model, get_settings().quality_threshold)


def load_context(conn: Connection) -> ScreeningContext:
    from referrals.config import get_settings  # settings are read at the edge, once per load

    settings = get_settings()
    _forget_if_erased(conn)
    rows = entries_and_reasons(conn)
    model = load_model(conn)
    return ScreeningContext(
        blocked=frozenset(r.entry for r in rows),
        blocked_reasons={r.entry: r.reason for r in rows if r.reason},
        model=model,
        threshold=line_of(model, settings.quality_threshold).threshold,
        check_dns=settings.check_dns,
        dns_timeout=settings.dns_timeout,
        loaded_at=time.monotonic(),
        generation=_generation,
    )


def context_for(conn: Connection) -> ScreeningContext:
    engine = conn.engine
    context = _contexts.get(engine)
    if context is None or context.generation != _generation or time.monotonic() - context.loaded_at > CACHE_SECONDS:
        context = load_context(conn)
        with _lock:
            _contexts[engine] = context
    return context


def judge_contact(customer: Customer, context: ScreeningContext) -> tuple[EmailVerdict, PhoneVerdict]:
    email = judge_email(customer.email, blocked=context.blocked, blocked_reasons=context.blocked_reasons)
    if context.check_dns and email.validity is EmailValidity.VALID:
        from referrals.adapters.dns import mail_domain_checker

        answer = mail_domain_checker(context.dns_timeout)(email.domain)
        email = judge_email(
            customer.email, blocked=context.blocked, blocked_reasons=context.blocked_reasons, mail_domain=answer
        )
    return email, judge_phone(customer.phone, customer.country)


def screen_with(
    context: ScreeningContext, *, origin: Origin, customer: Customer, message: str, partner_id: str | None = None
) -> Screening:
    email, phone = judge_contact(customer, context)
    reasons = list(email.reasons) if email.spam else []
    for reason in content_spam_reasons(
        message, customer.first_name, customer.last_name, customer.company, customer.title
    ):
        if reason not in reasons:
            reasons.append(reason)
    facts = LeadFacts(origin, customer, message, email.validity, phone.validity, spam=bool(reasons))
    quality = assess(context.model, facts, threshold=context.threshold, partner_id=partner_id)
    return Screening(email.validity, phone.validity, tuple(reasons), quality)


def screen(
    conn: Connection, *, origin: Origin, customer: Customer, message: str, partner_id: str | None = None
) -> Screening:
    """Email and phone verdicts, spam flags with reasons, and the quality estimate for one lead.

    `partner_id`, when given, applies that partner's learned offset on top of the program's model."""
    return screen_with(context_for(conn), origin=origin, customer=customer, message=message, partner_id=partner_id)
