"""Requests per second of the list API with two web processes: `referrals serve --processes 2` (uvicorn's own
workers) against gunicorn with two uvicorn workers, on a small SQLite database and on PostgreSQL.

    .venv/bin/python -m bench.processes_bench [--postgres postgresql://postgres@127.0.0.1:5432/test] [--seconds 10]

gunicorn is not a dependency: install it in the virtual environment to compare (pip install gunicorn==27.0.1).
Both servers run the same app (cli/served_app.py: from_environment), without the job consumer.
"""

import argparse
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from referrals.store.db import make_engine, normalise_url

BIN = Path(sys.executable).parent


def _program(url: str, leads: int):
    from tests.e2e import replica_support as support
    from tests.factories import SALES, ingest

    program = support.set_up_program(url)
    engine = make_engine(url)
    for index in range(leads):
        ingest(engine, SALES, program.partner_id, now=datetime.now(UTC), external_id=f"bench-{index}")
    engine.dispose()
    return program


def _load(url: str, token: str, seconds: float, clients: int) -> float:
    counts = [0] * clients
    stop = time.monotonic() + seconds

    def client(slot: int) -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            while time.monotonic() < stop:
                assert http.get("/api/v1/leads", params={"tab": "qualified"}).status_code == 200
                counts[slot] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def _up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def _measure(command: list[str], env: dict, port: int, token: str, seconds: float) -> float:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        _up(url)
        _load(url, token, 2, 8)  # warm up both processes
        return _load(url, token, seconds, 8)
    finally:
        process.terminate()
        process.wait(30)


def compare(url: str, seconds: float) -> dict[str, float]:
    from tests.smtp import free_port

    program = _program(url, 200)
    env = {**program.env, "REFERRALS_SERVE_KICK": "0"}
    port = free_port()
    uvicorn = [str(BIN / "referrals"), "serve", "--no-worker", "--processes", "2", "--port", str(port)]
    gunicorn = [str(BIN / "gunicorn"), "-w", "2", "-k", "uvicorn.workers.UvicornWorker", "-b", f"127.0.0.1:{port}",
                "referrals.cli.served_app:from_environment()"]
    return {"uvicorn --workers 2": _measure(uvicorn, env, port, program.admin_token, seconds),
            "gunicorn -w 2 (UvicornWorker)": _measure(gunicorn, env, port, program.admin_token, seconds)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", default="")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="referrals-processes-"))
    try:
        for name, rate in compare(f"sqlite:///{scratch / 'bench.db'}", args.seconds).items():
            print(f"sqlite      {name:32} {rate:7.1f} requests/s")
        if args.postgres:
            admin = create_engine(normalise_url(args.postgres), isolation_level="AUTOCOMMIT")
            database = f"processes_bench_{secrets.token_hex(4)}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{database}"'))
            try:
                url = make_url(normalise_url(args.postgres)).set(database=database).render_as_string(False)
                for name, rate in compare(url.replace("+psycopg", ""), args.seconds).items():
                    print(f"postgresql  {name:32} {rate:7.1f} requests/s")
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
