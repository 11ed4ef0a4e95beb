"""Who is asking, and what their roles let them do. A partner's people only ever reach their own
partner's data: every partner-scoped use case asks `partner_scope` for the partner id to filter by."""

from dataclasses import dataclass

from referrals.domain.enums import LEAD_ACTING_ROLES, LEAD_READING_ROLES, PROGRAM_ROLES, Role
from referrals.domain.errors import Forbidden
from referrals.domain.history import Actor


@dataclass(frozen=True)
class Principal:
    user_id: str
    email: str
    partner_id: str | None
    roles: frozenset[Role]
    language: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.email)

    @property
    def is_program_staff(self) -> bool:
        return self.partner_id is None and bool(self.roles & PROGRAM_ROLES)

    def has(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def partner_scope(self, *, acting: bool = False) -> str:
        """The partner whose leads this user may read (or act on, with acting=True)."""
        needed = LEAD_ACTING_ROLES if acting else LEAD_READING_ROLES
        if self.partner_id is None or not self.roles & needed:
            verb = "act on" if acting else "see"
            raise Forbidden(f"Your roles do not allow you to {verb} leads.")
        return self.partner_id

    def require(self, *roles: Role) -> None:
        if not self.has(*roles):
            names = " or ".join(r.value for r in roles)
            raise Forbidden(f"This needs the {names} role.")
