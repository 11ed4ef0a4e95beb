"""The domain's urgency rules in SQL (domain/lead_state.py: `asks_for_contact`, `reachable_by`, `LeadState.urgency`),
for the `contact_me` filter and the urgency sort; `tests/integration/test_urgency_sort.py` holds them equal.

The urgency sort puts a list in three groups at one moment: hot leads, newest first; then leads that wait for an
answer, nearest response deadline first; then the rest, newest first. A page is read group by group, each on its
own index (`ix_leads_status_created`, `ix_leads_waiting`, `ix_leads_created`), and its cursor carries the moment the
first page was read at, so the groups stay the same while the walk goes on: no lead repeats or goes missing when an
hour turns and a lead stops being hot. The export and bulk actions order by the same groups with one CASE.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, not_, or_

from referrals.domain.archiving import EXPIRY, RETIREMENT, TimedArchive
from referrals.domain.enums import CallToAction, LeadType, Status
from referrals.domain.lead_state import USABLE_EMAIL, USABLE_PHONE
from referrals.domain.windows import HOT_WINDOW
from referrals.store.db import constant
from referrals.store.tables import leads

HOT, WAITING, REST = 0, 1, 2
GROUPS = (HOT, WAITING, REST)


def asks_for_contact() -> ColumnElement:
    """`asks_for_contact`: ticked, *Contact me*, or a directory (profile) request. NULLs compare false."""
    c = leads.c
    return or_(
        c.customer_requested_contact.is_(True),
        and_(c.call_to_action.is_not(None), c.call_to_action == CallToAction.CONTACT_ME.value),
        and_(c.type.is_not(None), c.type == LeadType.PROFILE.value),
    )


def _reachable() -> ColumnElement:
    """`reachable_by` is not None: a phone or an email that is there and not judged invalid."""
    c = leads.c
    return or_(
        and_(func.trim(c.customer_phone) != "", c.phone_validity.in_(sorted(USABLE_PHONE))),
        and_(func.trim(c.customer_email) != "", c.email_validity.in_(sorted(USABLE_EMAIL))),
    )


def _not_due(rule: TimedArchive, moment) -> ColumnElement:
    deadline = leads.c[rule.deadline]
    return not_(and_(leads.c.informational.is_(rule.informational), deadline.is_not(None), deadline <= moment))


def hot(moment, hot_since) -> ColumnElement:
    """`LeadState.urgency(moment) is HOT`; `hot_since` is `moment - HOT_WINDOW` (bound, like the moment)."""
    c = leads.c
    return and_(
        c.status == constant(Status.RECEIVED.value), asks_for_contact(), c.spam.is_(False), _reachable(),
        c.created_at > hot_since, _not_due(EXPIRY, moment), _not_due(RETIREMENT, moment),
    )


def _answer_due_later(moment) -> ColumnElement:
    """Received, waiting for an answer whose deadline has not passed (the action center's leads, `ix_leads_waiting`)."""
    c = leads.c
    return and_(c.status == constant(Status.RECEIVED.value), c.response_due_at.is_not(None), c.response_due_at > moment)


@dataclass(frozen=True)
class Group:
    where: ColumnElement
    key: str  # the column it is ordered by, then by id, both ascending or both descending
    descending: bool


# the column each group is ordered by
KEYS = {HOT: "created_at", WAITING: "response_due_at", REST: "created_at"}


def group(number: int, moment, hot_since) -> Group:
    if number == HOT:
        return Group(hot(moment, hot_since), KEYS[HOT], True)
    if number == WAITING:
        return Group(and_(_answer_due_later(moment), not_(hot(moment, hot_since))), KEYS[WAITING], False)
    return Group(and_(not_(hot(moment, hot_since)), not_(_answer_due_later(moment))), KEYS[REST], True)


def order(moment: datetime) -> list[ColumnElement]:
    """The same order as one ORDER BY (the export, bulk actions): the group, then its key and id."""
    since = moment - HOT_WINDOW
    number = case((hot(moment, since), HOT), (_answer_due_later(moment), WAITING), else_=REST)
    waiting = number == WAITING
    return [number.asc(), case((waiting, leads.c.response_due_at)).asc(), case((waiting, leads.c.id)).asc(),
            leads.c.created_at.desc(), leads.c.id.desc()]


def hot_since(moment: datetime) -> datetime:
    return moment - HOT_WINDOW


def read_position(value: object) -> tuple[datetime, int, datetime]:
    """A cursor's place in the urgency sort: (the moment of the first page, the group, the last lead's key there);
    ValueError when it is anything else."""
    if not isinstance(value, list) or len(value) != 3 or value[1] not in GROUPS:
        raise ValueError("bad urgency position")
    moment, number, key = value
    moment, key = datetime.fromisoformat(moment), datetime.fromisoformat(key)
    if moment.tzinfo is None or key.tzinfo is None:
        raise ValueError("a cursor's time must carry its zone")
    return moment, number, key


def write_position(moment: datetime, number: int, key: datetime) -> list:
    return [moment.isoformat(), number, key.isoformat()]
