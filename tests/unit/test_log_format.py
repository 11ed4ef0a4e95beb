"""The server's log configuration: the request id on every handler in both formats; with `json`, one object a line
whose traceback is redacted too (the JSON formatter writes it from the exception, not from the filtered text)."""

import io
import json
import logging
import logging.config
import sys

from referrals.web.logformat import log_config
from referrals.web.requestid import request_id

TOKEN = "rfl_Qw8eR7tY6uI5oP4aS3dF2gH1jK0lZ9xC8vB7nM6"


def _written(config: dict, name: str, *, exc_info=None) -> str:
    """What the configuration's `default` handler writes for one error record of logger `name`, built from the
    configuration without installing it (the test process's logging stays as it was)."""
    build = logging.config.DictConfigurator(config)
    spec = config["handlers"]["default"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(build.configure_formatter(dict(config["formatters"][spec["formatter"]])))
    for name_of_filter in spec["filters"]:
        handler.addFilter(build.configure_filter(dict(config["filters"][name_of_filter])))
    record = logging.LogRecord(name, logging.ERROR, __file__, 1, "lookup failed for %s", ("someone",), exc_info)
    handler.handle(record)
    return stream.getvalue()


def test_every_handler_puts_the_request_id_on_its_records_in_both_formats():
    for log_format in ("text", "json"):
        config = log_config(log_format)
        assert all("request_id" in handler["filters"] and "redact" in handler["filters"]
                   for handler in config["handlers"].values())


def test_a_json_line_carries_the_request_id_and_a_redacted_traceback():
    token = request_id.set("req-7")
    try:
        raise ValueError(f"no user for token {TOKEN}")
    except ValueError:
        line = _written(log_config("json"), "referrals.jobs", exc_info=sys.exc_info())
    finally:
        request_id.reset(token)
    record = json.loads(line)
    assert record["request_id"] == "req-7" and record["level"] == "ERROR" and record["logger"] == "referrals.jobs"
    assert record["message"] == "lookup failed for someone"
    assert "ValueError" in record["exc_info"] and TOKEN not in line and "[redacted]" in record["exc_info"]


def test_the_text_format_stays_uvicorns():
    line = _written(log_config("text"), "referrals.jobs")
    assert line.strip().endswith("lookup failed for someone") and not line.startswith("{")
