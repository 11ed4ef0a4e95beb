"""The sign-in form's limits around the password check (web.ratelimit_signin): `SignInGate` admits the attempt
or refuses it before the check, and awaits the account's delay without holding a thread; `after_sign_in`
counts the outcome and queues the new-address alert."""

import math
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from referrals.domain.access import Principal
from referrals.services.signin import alert_new_address
from referrals.web.client import client_address
from referrals.web.deps import SignInLimiterDep
from referrals.web.pages.deps import PostedForm
from referrals.web.pages.forms import text
from referrals.web.ratelimit_signin import ALERT_AFTER, Admission


async def _admit(request: Request, form: PostedForm, limiter: SignInLimiterDep) -> Admission:
    admission = await run_in_threadpool(limiter.admit, text(form, "email"), client_address(request))
    if admission.delay:
        await limiter.sleep(admission.delay)
    return admission


SignInGate = Annotated[Admission, Depends(_admit)]


def refused(response: Response, admission: Admission) -> Response:
    response.headers["Retry-After"] = str(math.ceil(admission.wait))
    return response


def after_sign_in(request: Request, engine: Engine, email: str, principal: Principal | None, now: datetime) -> None:
    limiter = request.app.state.signin_limiter
    if principal is None:
        limiter.failed(email)
        return
    address = client_address(request)
    failures = limiter.succeeded(email, address)
    if failures >= ALERT_AFTER:
        alert_new_address(engine, principal, address, failures, now=now)
