"""The server-rendered list page on the demo data (issue 4's figure): `make run`'s database, a real server
process, a real sign-in, GET /leads 100 times; prints p50 / p95.

    .venv/bin/python bench/page_demo.py
"""

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.smtp import free_port  # noqa: E402

REFERRALS = str(Path(sys.executable).with_name("referrals"))


def main(runs: int = 100) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite:///{folder}/demo.db"
        for args in (("migrate",), ("demo",)):
            subprocess.run([REFERRALS, *args, "--db", db], check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen([REFERRALS, "serve", "--no-worker", "--port", str(port), "--db", db],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=30) as client:
                for _ in range(100):
                    try:
                        client.get("/healthz")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                form = client.get("/signin")
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
                client.post("/signin", data={"email": "admin@contoso.example", "password": "demo-password",
                                             "csrf_token": csrf, "next": "/leads"})
                timings = []
                for _ in range(runs + 10):
                    started = time.perf_counter()
                    page = client.get("/leads")
                    timings.append((time.perf_counter() - started) * 1000)
                    assert page.status_code == 200 and "/leads/" in page.text, "not signed in"
                timings = sorted(timings[10:])
                p95 = timings[int(len(timings) * 0.95) - 1]
                print(f"GET /leads on the demo data: p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms")
        finally:
            server.terminate()
            server.wait(20)


if __name__ == "__main__":
    main()
