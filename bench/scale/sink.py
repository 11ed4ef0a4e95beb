"""The scale test's SMTP server: a separate process (so the test can stop it for a while and start it again on
the same port) that appends one JSON line per accepted message: its Message-ID, its recipients and when.

    python -m bench.scale.sink --port 2525 --log messages.jsonl
"""

import argparse
import json
import signal
import threading
import time
from email import message_from_bytes
from email.policy import default

from aiosmtpd.controller import Controller


class Appender:
    def __init__(self, path: str) -> None:
        self.out = open(path, "a", buffering=1)  # noqa: SIM115 - open for the process's life
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        message = message_from_bytes(envelope.content, policy=default)
        line = json.dumps({"message_id": str(message["Message-ID"] or "").strip(), "to": envelope.rcpt_tos,
                           "subject": str(message["Subject"] or ""), "at": time.time()})
        with self.lock:
            self.out.write(line + "\n")
            self.out.flush()
        return "250 Message accepted for delivery"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    controller = Controller(Appender(args.log), hostname="127.0.0.1", port=args.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
