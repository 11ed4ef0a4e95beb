"""A readiness check that hangs (a database host dropping packets) answers "timeout" in time, and the probes that
follow wait for that same check instead of starting more threads; a failing check answers "unreachable"."""

import asyncio
import threading

from referrals.web.readiness import Probe


def test_a_hung_check_times_out_and_is_never_started_twice_while_it_hangs():
    release, calls = threading.Event(), []

    def hanging() -> None:
        calls.append(1)
        release.wait(10)

    probe = Probe("database", hanging)

    async def scenario() -> list[str]:
        answers = [await probe(timeout=0.05) for _ in range(3)]
        answers += await asyncio.gather(probe(timeout=0.05), probe(timeout=0.05))
        release.set()
        await asyncio.sleep(0.1)  # the hung check ends; the next probe starts a new one
        answers.append(await probe(timeout=5))
        return answers

    assert asyncio.run(scenario()) == ["timeout"] * 5 + ["ok"]
    assert len(calls) == 2


def test_a_failing_check_is_unreachable():
    def refused() -> None:
        raise ConnectionRefusedError("nobody there")

    assert asyncio.run(Probe("redis", refused)()) == "unreachable"
