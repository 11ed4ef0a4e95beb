"""`/v1.0/engagements/referrals`: the vendor's Referrals REST API over our leads, so a CRM connector written against
it works with a new base URL and the same bearer tokens as /api/v1 (docs/integrations.md). Errors leave in the
vendor's shape, `{"error": {"code", "message", "target", "details"}}`; an unsupported query option, operator or
patch path is 400 naming it."""

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from referrals.domain.errors import DomainError
from referrals.services import referrals_compat
from referrals.web.deps import CurrentUser, EngineDep, IfMatch, Now, ReadEngineDep
from referrals.web.errors import STATUS

_CODES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
          412: "PreconditionFailed", 413: "PayloadTooLarge", 415: "UnsupportedMediaType", 422: "UnprocessableEntity",
          429: "TooManyRequests"}
PATCH_TYPES = ("application/json-patch+json", "application/json")


def vendor_error(status: int, message: str, fields: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None) -> JSONResponse:
    fields = fields or {}
    error: dict[str, Any] = {"code": _CODES.get(status, "Error"), "message": message}
    if fields:
        error["target"] = next(iter(fields))
        error["details"] = [{"code": _CODES.get(status, "Error"), "target": name, "message": text}
                            for name, text in fields.items()]
    return JSONResponse({"error": error}, status_code=status, headers=headers)


class VendorErrors(APIRoute):
    """Every refusal of these routes (dependencies included: the token, the roles) in the vendor's error shape."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except DomainError as error:
                status = STATUS.get(error.code, 400)
                headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
                return vendor_error(status, error.message, error.fields, headers)
            except RequestValidationError as error:
                fields = {".".join(str(p) for p in e.get("loc", ())[1:]) or "request": e.get("msg", "is invalid")
                          for e in error.errors()}
                return vendor_error(400, "The request is invalid.", fields)

        return route


router = APIRouter(prefix="/v1.0/engagements/referrals", route_class=VendorErrors, include_in_schema=False)


def _etagged(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"ETag": body["eTag"]})


@router.get("")
def list_referrals(request: Request, principal: CurrentUser, engine: ReadEngineDep) -> JSONResponse:
    query = referrals_compat.read_query(request.query_params.multi_items())
    found = referrals_compat.list_referrals(engine, principal, query)
    body: dict[str, Any] = {"value": found.value}
    if found.count is not None:
        body["@odata.count"] = found.count
    if found.skiptoken is not None:
        body["@odata.nextLink"] = str(request.url.include_query_params(**{"$skiptoken": found.skiptoken}))
    return JSONResponse(body)


@router.get("/{referral_id}")
def get_referral(referral_id: str, principal: CurrentUser, engine: EngineDep) -> JSONResponse:
    return _etagged(referrals_compat.get_referral(engine, principal, referral_id))


@router.patch("/{referral_id}")
async def patch_referral(referral_id: str, request: Request, principal: CurrentUser, engine: EngineDep, now: Now,
                         if_match: IfMatch = None,
                         prefer: Annotated[str | None, Header(alias="Prefer")] = None) -> Response:
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media not in PATCH_TYPES:
        return vendor_error(415, f"Send the patch as {' or '.join(PATCH_TYPES)}, not {media or 'no type'}.")
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as error:
        return vendor_error(400, f"The body is not valid JSON: {error}.", {"body": "is not valid JSON"})
    referral = await run_in_threadpool(referrals_compat.patch_referral, engine, principal, referral_id, body,
                                       now=now, if_match=if_match)
    if prefer is not None and "return=representation" in prefer.replace(" ", "").lower():
        response = _etagged(referral)
        response.headers["Preference-Applied"] = "return=representation"
        return response
    return Response(status_code=204, headers={"ETag": referral["eTag"]})
