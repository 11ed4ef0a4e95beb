"""No secrets in the logs: inbound keys, API tokens, Authorization values and session cookies are replaced by
[redacted] in every record the server writes, access lines and tracebacks included.

The keys and tokens are stored hashed; a log line that kept them whole would undo that for anyone who can read
the logs. The access log is the usual leak: uvicorn writes each request's path, and a marketplace's path is
its key. `log_config()` is uvicorn's own logging configuration with the filter on every handler (so records
propagated from any logger pass through it) and our loggers at INFO; `referrals serve` passes it to uvicorn.
"""

import copy
import logging
import re
from typing import Any

REDACTED = "[redacted]"
_PATTERNS = (
    # the marketplace endpoint's path segment is the key itself, whatever was sent
    (re.compile(r"(/inbound/marketplace/)[^/?#\s\"'<>]+"), rf"\1{REDACTED}"),
    # so is a password-reset link's: good for an hour, it would set the password of whoever reads the log
    (re.compile(r"(/password/reset/)[^/?#\s\"'<>]+"), rf"\1{REDACTED}"),
    (re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)[^\"'\r\n,;}]+"), rf"\1{REDACTED}"),
    (re.compile(r"(?i)(bearer\s+)[^\s\"',;}]+"), rf"\1{REDACTED}"),
    (re.compile(r"(referrals_session[\"']?\s*[:=]\s*[\"']?)[^;\s\"',}]+"), rf"\1{REDACTED}"),
    # API tokens (rfl_...) and inbound keys (ik_...) wherever else they turn up
    (re.compile(r"\b(rfl_|ik_)[A-Za-z0-9_\-]{8,}"), rf"\1{REDACTED}"),
)
ACCESS_LOGGER = "uvicorn.access"  # its formatter unpacks the five arguments: keep them five


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites a record in place (every handler then sees the clean one) and never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.args = _clean_args(record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.name != ACCESS_LOGGER:
            try:
                message = record.getMessage()
            except (TypeError, ValueError):  # a bad format: logging reports it; the pieces are already clean
                message = ""
            clean = redact(message)
            if clean != message:  # a secret split between the format and its arguments: keep the clean whole
                record.msg, record.args = clean, ()
                record.__dict__.pop("color_message", None)
        if isinstance(record.__dict__.get("color_message"), str):
            record.color_message = redact(record.color_message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _clean_args(args: Any) -> Any:
    if isinstance(args, tuple):
        return tuple(_clean(arg) for arg in args)
    if isinstance(args, dict):
        return {key: _clean(value) for key, value in args.items()}
    return args


def _clean(value: Any) -> Any:
    if isinstance(value, (int, float)) or value is None:
        return value
    text = str(value)
    clean = redact(text)
    if isinstance(value, str) or clean != text:
        return clean
    return value


def log_config(base: dict[str, Any] | None = None) -> dict[str, Any]:
    """uvicorn's logging configuration (or `base`) with RedactSecrets on every handler, our own loggers at
    INFO and everything else at WARNING through the same, filtered, handler."""
    if base is None:
        from uvicorn.config import LOGGING_CONFIG

        base = LOGGING_CONFIG
    config = copy.deepcopy(base)
    config.setdefault("filters", {})["redact"] = {"()": f"{__name__}.RedactSecrets"}
    for handler in config.get("handlers", {}).values():
        handler["filters"] = [*handler.get("filters", []), "redact"]
    config.setdefault("loggers", {})["referrals"] = {"level": "INFO"}
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config
