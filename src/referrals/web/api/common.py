"""Shared pieces of the routes: the documented problem answers and the ETag header."""

from typing import Any

from fastapi import Response

from referrals.domain.lead import Lead
from referrals.web.api.schemas import Problem

_MEANINGS = {
    400: "The body is not JSON", 401: "No valid token or session", 403: "Your roles do not allow this",
    404: "No such resource for your partner", 409: "Conflict or invalid transition",
    412: "If-Match does not match the lead's etag", 413: "The body is too large",
    422: "Invalid input; `fields` names each offending field", 429: "Too many requests",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI answers for these error statuses, all application/problem+json."""
    return {
        status: {
            "model": Problem,
            "description": _MEANINGS[status],
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


AUTHED = problems(400, 401, 403, 413, 422)
LEAD_READ = problems(400, 401, 403, 404, 413, 422)
LEAD_WRITE = problems(400, 401, 403, 404, 409, 412, 413, 422)


def with_etag(response: Response, lead: Lead) -> None:
    response.headers["ETag"] = lead.etag
