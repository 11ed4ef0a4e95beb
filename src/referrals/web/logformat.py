"""The server's logging configuration: uvicorn's, with the secrets redacted (web/logredact.py) and the request id
(web/requestid.py) on every record; with REFERRALS_LOG_FORMAT=json, one JSON object per line instead of text:
`time` (ISO 8601, UTC), `level`, `logger`, `message`, `request_id` (null outside a request) and any extra field a
record carries; the access lines add `client`, `method`, `path`, `http_version` and `status`. Tracebacks are
redacted here too: the JSON formatter writes them from the exception itself, not from the filtered text."""

import logging
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from referrals.web import logredact

FORMATS = ("text", "json")
_FIELDS = ["asctime", "levelname", "name", "message"]
_RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")  # uvicorn's five arguments, in order


class JsonLines(JsonFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(_FIELDS, rename_fields=_RENAMED, reserved_attrs=[*RESERVED_ATTRS, "color_message"])

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's)
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")

    def formatException(self, ei) -> str:  # noqa: N802
        return logredact.redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return logredact.redact(super().formatStack(stack_info))


class JsonAccessLines(JsonLines):
    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_data, record, message_dict)
        if isinstance(record.args, tuple) and len(record.args) == len(_ACCESS_FIELDS):
            log_data.update(zip(_ACCESS_FIELDS, record.args, strict=True))


def log_config(log_format: str = "text") -> dict[str, Any]:
    config = logredact.log_config()
    config["filters"]["request_id"] = {"()": "referrals.web.requestid.RequestIdFilter"}
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "request_id"]
    if log_format == "json":
        config["formatters"] = {"default": {"()": f"{__name__}.JsonLines"},
                                "access": {"()": f"{__name__}.JsonAccessLines"}}
    return config
