"""`referrals serve` in a subprocess, as an operator starts it: on a free port, its logs in files, stopped at
the end. For the tests of what only the real command does (its logging, its refusals, its session key)."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.smtp import free_port

REFERRALS = str(Path(sys.executable).with_name("referrals"))


def environment(db_url: str, **variables: str) -> dict[str, str]:
    """The process environment without any REFERRALS_* of the developer's shell, on the given database."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("REFERRALS_")}
    return {**env, "REFERRALS_DATABASE_URL": db_url, **variables}


def referrals(*args: str, env: dict[str, str], check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run([REFERRALS, *args], capture_output=True, text=True, env=env, timeout=timeout)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@dataclass
class Served:
    url: str
    stdout: Path
    stderr: Path

    def logs(self) -> str:
        return self.stdout.read_text() + self.stderr.read_text()


@contextmanager
def serving(env: dict[str, str], logs: Path, *args: str) -> Iterator[Served]:
    port = free_port()
    logs.mkdir(parents=True, exist_ok=True)
    served = Served(f"http://127.0.0.1:{port}", logs / f"{port}.out", logs / f"{port}.err")
    with served.stdout.open("w") as out, served.stderr.open("w") as err:
        process = subprocess.Popen([REFERRALS, "serve", "--port", str(port), "--no-worker", *args], env=env,
                                   stdout=out, stderr=err)
        try:
            _wait_until_up(served, process)
            yield served
        finally:
            process.terminate()
            process.wait(20)


def _wait_until_up(served: Served, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"referrals serve exited with {process.returncode}: {served.logs()}")
        try:
            if httpx.get(f"{served.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("referrals serve did not start within 30 s")


def eventually(check: Callable[[], bool], seconds: float = 15) -> bool:
    """Whether `check` comes true within `seconds` (asked every 0.2 s): for what other processes do in their time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False
