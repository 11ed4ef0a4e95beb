"""The scale test's load: requests at a fixed rate (open loop: a request starts on its schedule whether or not
the earlier ones have answered), from a process of its own.

The mix: 60% lists and filters, 15% lead details, 10% new leads, 5% accepts, 5% declines, 5% exports of at most
1,000 rows. Every answer is recorded (kind, when it started, how long it took, status or error); so is every lead
the server acknowledged creating and every accept or decline it acknowledged, for the checks afterwards.

    python -m bench.scale.load --plan plan.json --rate 100 --seconds 60 --out load.json
"""

import argparse
import asyncio
import itertools
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

MIX = (("list", 60), ("detail", 15), ("new", 10), ("accept", 5), ("decline", 5), ("export", 5))
LIST_QUERIES = ("", "status=received", "country=IT&quality=high", "sort=urgency", "q={term}",
                "status=accepted&sort=response_due_at")
CUT = "connection"  # the error class of a connection the server closed or refused


@dataclass
class Plan:
    """What the load needs from the set-up (bench/scale/run.py writes it)."""

    base_url: str
    partner_token: str  # the big partner's Referrals admin
    partner_user_id: str
    export_token: str  # the medium partner's admin: its whole list is at most 1,000 leads
    program_token: str  # sends the new leads
    partner_id: str
    detail_ids: list[str]
    received_ids: list[str]  # fresh received leads, each accepted or declined at most once
    term: str
    run_id: str


@dataclass
class Outcome:
    records: list[tuple] = field(default_factory=list)  # (kind, started s, ms, status, error)
    created: list[tuple[str, str]] = field(default_factory=list)  # (lead id, external id)
    transitions: list[tuple[str, str]] = field(default_factory=list)  # (lead id, accepted|declined)


def kinds(seed: int):
    """The mix as an endless shuffled sequence (each block of 100 holds the exact shares)."""
    rng = random.Random(seed)
    block = [kind for kind, share in MIX for _ in range(share)]
    while True:
        rng.shuffle(block)
        yield from block


class Load:
    def __init__(self, plan: Plan, client: httpx.AsyncClient, offset: int) -> None:
        self.plan, self.client, self.out = plan, client, Outcome()
        self.serial = itertools.count(offset)
        # A run numbered `offset` (a multiple of 100,000) takes its slice of the pool: runs never share a lead.
        share = len(plan.received_ids) // 10  # the main run and up to nine steps
        start = offset // 100_000 * share
        self.received = iter(plan.received_ids[start:start + share])
        self.queries = itertools.cycle(q.replace("{term}", plan.term) for q in LIST_QUERIES)
        self.details = itertools.cycle(plan.detail_ids)
        self.auth = {"Authorization": f"Bearer {plan.partner_token}"}
        self.free = asyncio.Semaphore(CONNECTIONS)

    def request(self, kind: str) -> tuple[str, str, dict]:
        """(method, path, keyword arguments) of one request of this kind."""
        if kind == "list":
            return "GET", f"/api/v1/leads?{next(self.queries)}", {"headers": self.auth}
        if kind == "detail":
            return "GET", f"/api/v1/leads/{next(self.details)}", {"headers": self.auth}
        if kind == "export":
            return "GET", "/api/v1/leads/export.csv", {
                "headers": {"Authorization": f"Bearer {self.plan.export_token}"}}
        if kind == "new":
            n = next(self.serial)
            body = {"partner_id": self.plan.partner_id, "external_id": f"scale-{self.plan.run_id}-{n}",
                    "qualification": "sales", "source": "azure_portal",
                    "offer": {"id": "contoso.crm", "title": "Contoso CRM"},
                    "customer": {"company": f"Scale Customer {n}", "first_name": "Giulia", "last_name": f"Rossi{n}",
                                 "email": f"giulia.{n}@scale.example", "phone": "+39 02 1234 5678", "country": "IT"},
                    "message": "Needs 40 seats by June.", "customer_requested_contact": True}
            return "POST", "/api/v1/leads", {"json": body,
                                             "headers": {"Authorization": f"Bearer {self.plan.program_token}"}}
        lead_id = next(self.received, None)
        if lead_id is None:  # the pool ran dry: a read instead, so the rate holds
            return self.request("detail")
        if kind == "accept":
            body = {"deal_name": "Scale deal", "estimated_value": {"amount": "1000.00", "currency": "EUR"},
                    "team_member_ids": [self.plan.partner_user_id], "estimated_purchase_date": "2099-12-31",
                    "notes": "Scale test"}
            return "POST", f"/api/v1/leads/{lead_id}/accept", {"json": body, "headers": self.auth}
        return "POST", f"/api/v1/leads/{lead_id}/decline", {
            "json": {"reason": "timeline_too_short", "notes": "Scale test"}, "headers": self.auth}

    async def one(self, kind: str, started: float, due: float) -> None:
        """One request, timed from when it was due (so time spent waiting for a free connection counts, and a
        slow server cannot hide its backlog by slowing the load down)."""
        method, path, kwargs = self.request(kind)
        status, error = None, None
        try:
            async with self.free:
                status = await self.send(kind, method, path, kwargs)
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            error = f"{CUT}: {type(exc).__name__}"
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        ms = (time.perf_counter() - due) * 1000
        self.out.records.append((kind, round(started, 4), round(ms, 2), status, error))

    async def send(self, kind: str, method: str, path: str, kwargs: dict) -> int:
        if kind == "export":
            async with self.client.stream(method, path, **kwargs) as response:
                async for _ in response.aiter_bytes():
                    pass
        else:
            response = await self.client.request(method, path, **kwargs)
            self.remember(kind, path, kwargs, response)
        return response.status_code

    def remember(self, kind: str, path: str, kwargs: dict, response: httpx.Response) -> None:
        if kind == "new" and response.status_code in (200, 201):
            self.out.created.append((response.json()["id"], kwargs["json"]["external_id"]))
        elif kind in ("accept", "decline") and response.status_code == 200:
            self.out.transitions.append((path.split("/")[4], {"accept": "accepted", "decline": "declined"}[kind]))


CONNECTIONS = 64  # at most this many requests in flight; the rest wait their turn here, timed from when due


async def drive(plan: Plan, rate: float, seconds: float, seed: int, offset: int) -> Outcome:
    # httpcore's pool scans every connection for every queued request: with hundreds waiting in the pool the load
    # itself ran out of CPU. The semaphore keeps the pool's queue empty; the wait still counts in each latency.
    # Idle connections are let go after 3 s, before the server's keep-alive timeout (uvicorn: 5 s) closes them: a
    # request sent on a connection the server is closing that instant fails (the scale test saw it, POSTs too).
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS, keepalive_expiry=3.0)
    async with httpx.AsyncClient(base_url=plan.base_url, timeout=30.0, limits=limits) as client:
        load = Load(plan, client, offset)
        tasks, sequence = [], kinds(seed)
        start = time.perf_counter()
        for n in range(int(rate * seconds)):
            due = start + n / rate
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(load.one(next(sequence), due - start, due)))
        await asyncio.gather(*tasks)
        return load.out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--offset", type=int, default=0, help="the first new lead's serial number")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    plan = Plan(**json.loads(args.plan.read_text()))
    began = time.time()
    outcome = asyncio.run(drive(plan, args.rate, args.seconds, args.seed, args.offset))
    args.out.write_text(json.dumps({"began": began, "rate": args.rate, "seconds": args.seconds,
                                    "records": outcome.records, "created": outcome.created,
                                    "transitions": outcome.transitions}))


if __name__ == "__main__":
    main()
