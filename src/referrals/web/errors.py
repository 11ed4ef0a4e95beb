"""Every error leaves as application/problem+json (RFC 9457) with a stable `code` and, when fields are
to blame, `fields` naming each one. Domain errors are translated here and nowhere else."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from referrals.domain.errors import DomainError

PROBLEM_TYPE = "urn:referrals:problem:"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


STATUS = {
    "validation_error": 422,
    "invalid_json": 400,
    "not_found": 404,
    "conflict": 409,
    "invalid_transition": 409,
    "last_admin": 409,
    "forbidden": 403,
    "unauthenticated": 401,
    "precondition_failed": 412,
    "payload_too_large": 413,
    "rate_limited": 429,
}
_HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


def problem(
    status: int, code: str, detail: str, *, fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code,
        "title": code.replace("_", " ").capitalize(),
        "status": status,
        "code": code,
        "detail": detail,
        "fields": fields or {},
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def _field_name(loc: tuple[Any, ...]) -> str:
    if len(loc) > 1 and loc[0] in ("query", "path", "header"):
        return str(loc[1])  # a repeated parameter is named once, not per value
    parts = list(loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc)
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


def _message(error: dict[str, Any]) -> str:
    # A rule of ours (the input policy's "must not contain NUL characters") reads as it is, not as "Value error, ...".
    if error.get("type") == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])
    return error.get("msg", "is invalid")


def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    for error in errors:
        if error.get("type") == "json_invalid":
            reason = error.get("ctx", {}).get("error", "malformed JSON")
            return problem(400, "invalid_json", f"The body is not valid JSON: {reason}.",
                           fields={"body": "is not valid JSON"})
    if any(isinstance(e.get("input"), bytes) and tuple(e.get("loc", ())) == ("body",) for e in errors):
        content_type = request.headers.get("content-type") or "none"
        return problem(400, "invalid_json", f"The body must be JSON (Content-Type: application/json), "
                       f"not {content_type}.", fields={"body": "must be JSON"})
    fields: dict[str, str] = {}
    for error in errors:
        fields.setdefault(_field_name(tuple(error.get("loc", ()))), _message(error))
    summary = "; ".join(f"{name}: {message}" for name, message in fields.items())
    return problem(422, "validation_error", f"The request is invalid: {summary}", fields=fields)


def _domain(_request: Request, exc: DomainError) -> JSONResponse:
    status = STATUS.get(exc.code, 400)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    return problem(status, exc.code, exc.message, fields=exc.fields, headers=headers)


def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, "error")
    return problem(exc.status_code, code, str(exc.detail), headers=getattr(exc, "headers", None))


def _data(_request: Request, exc: DataError) -> JSONResponse:
    # The database refused a value the checks let through (a NUL byte, an out-of-range number...).
    return problem(422, "validation_error", "A value in the request cannot be stored.",
                   fields={"body": "contains a value the database cannot store"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(DataError, _data)
