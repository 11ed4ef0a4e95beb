"""The product's web app in a real uvicorn process, for the HTTP benchmarks: the JSON API and, when the
server-rendered pages exist (`referrals.web.pages.register_pages`), the pages too. No embedded job worker:
the benchmarks measure requests, not background jobs.

    .venv/bin/python bench/server.py --db URL --port 8765
"""

import argparse
import logging

import uvicorn

from referrals.config import Settings
from referrals.store.db import make_engine
from referrals.web import heap
from referrals.web.app import create_app


def build(url: str, secret: str):
    settings = Settings(database_url=url, secret_key=secret, login_rate_limit="1000/minute")
    app = create_app(settings, make_engine(url))
    try:
        from referrals.web.pages import register_pages
    except ImportError:
        app.state.bench_pages = False
    else:
        register_pages(app)
        app.state.bench_pages = True
    heap.settle()  # as `referrals serve` does (cli/served_app.py)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", default="bench-secret-key-not-for-production")
    args = parser.parse_args()
    logging.getLogger("referrals").setLevel(logging.ERROR)
    uvicorn.run(build(args.db, args.secret), host="127.0.0.1", port=args.port, log_level="warning",
                access_log=False)


if __name__ == "__main__":
    main()
