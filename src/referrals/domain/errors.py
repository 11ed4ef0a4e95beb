"""Errors the rules raise. The web and CLI edges translate them, each in one place."""


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(DomainError):
    """Input that breaks a rule; `fields` names each offending field."""

    code = "validation_error"


class InvalidTransition(DomainError):
    """The lead's state does not allow this action (archived, informational, not yet accepted...)."""

    code = "invalid_transition"


class Conflict(DomainError):
    """Someone else changed the lead first; reload and try again."""

    code = "conflict"


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class PreconditionFailed(DomainError):
    """An If-Match etag no longer matches the lead."""

    code = "precondition_failed"
