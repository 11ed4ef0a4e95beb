"""Settings from environment variables (REFERRALS_*), read once at the edges."""

from functools import lru_cache
from ipaddress import ip_network
from typing import Literal

from limits import parse as parse_rate
from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from referrals.store.db import DEFAULT_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REFERRALS_", extra="ignore")

    database_url: str = DEFAULT_URL
    # a PostgreSQL streaming replica for lists, counts, exports, insights and directory searches (store/replica.py),
    # skipped while it is down or more than read_max_lag_seconds behind the primary
    database_read_url: str = ""
    read_max_lag_seconds: float = 5.0
    secret_key: str = ""  # signs session cookies; when empty, see referrals/secret_key.py
    base_url: str = "http://127.0.0.1:8000"
    # email
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: str = "none"  # none | starttls | tls
    mail_from: str = "Referrals <referrals@localhost>"
    digest_threshold: int = 10
    operations_email: str = "operations@localhost"
    # jobs: huey in SQLite next to the database by default; Redis when several workers share the work
    redis_url: str = ""
    jobs_path: str = ""
    jobs_queue: str = "referrals"  # the queue's name (its keys' prefix in Redis): deployments may share one Redis
    # contact checks and quality
    check_dns: bool = False
    dns_timeout: float = 2.0
    quality_threshold: float | None = None  # a fixed High/Low line; unset: relative to the program (docs/quality.md)
    quality_high_ratio: float = 1.5  # High = at least this many times the program's conversion rate
    quality_retrain_days: float = 7  # the scheduled retraining's period (and on demand from /program/quality)
    # signed-in sessions end after this long without a request, and this long after signing in
    session_idle_hours: float = 12
    session_max_days: float = 14
    # limits
    max_body_bytes: int = 2_000_000
    max_import_bytes: int = 100_000_000  # a CSV import's body (web/api/imports.py), streamed to a temporary file
    # sign-in (web/ratelimit_signin.py): attempts per email from one client address, and from one address
    # whatever the email; counted in memory, or in Redis (under rate_limit_prefix) when redis_url is set
    login_rate_limit: str = "10/minute"
    login_address_rate_limit: str = "30/minute"
    rate_limit_prefix: str = "referrals-limits"
    # proxies whose X-Forwarded-For is believed (web/client.py): comma-separated addresses or CIDR ranges
    trusted_proxies: str = ""
    # webhooks: hosts that may be called although they are not public (and over http://), comma-separated
    webhook_allow_hosts: str = ""
    # operations (docs/operations.md): the bearer token /metrics asks for (unset: answers loopback only), and the
    # logs' format, `text` or `json` (one object per line, with the request id)
    metrics_token: str = ""
    log_format: Literal["text", "json"] = "text"
    # personal data (docs/privacy.md): the sweep anonymises leads archived longer ago than this; unset: never
    retention_months: int | None = None

    @property
    def webhook_allow_list(self) -> list[str]:
        return [host.strip() for host in self.webhook_allow_hosts.split(",") if host.strip()]

    @field_validator("login_rate_limit", "login_address_rate_limit")
    @classmethod
    def _is_rate(cls, value: str) -> str:
        parse_rate(value)  # a ValueError says "10/minute" was expected
        return value

    @field_validator("database_read_url")
    @classmethod
    def _is_postgres(cls, value: str) -> str:
        if value and not value.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            raise ValueError("the read replica is a PostgreSQL database: postgresql://user@host:5432/db")
        return value

    @field_validator("read_max_lag_seconds")
    @classmethod
    def _is_lag(cls, value: float) -> float:
        if not 0 < value < 86400:
            raise ValueError("the largest replica lag is a number of seconds above 0, like 5")
        return value

    @model_validator(mode="after")
    def _replica_of_postgres(self) -> "Settings":
        if self.database_read_url and not self.database_url.startswith(("postgres", "postgresql")):
            raise ValueError("REFERRALS_DATABASE_READ_URL needs REFERRALS_DATABASE_URL on PostgreSQL too")
        return self

    @field_validator("quality_threshold", mode="before")
    @classmethod
    def _is_line(cls, value):
        if value in ("", None):
            return None
        if not 0.0 < float(value) < 1.0:
            raise ValueError("the quality threshold is a chance strictly between 0 and 1, like 0.4")
        return float(value)

    @field_validator("retention_months", mode="before")
    @classmethod
    def _is_retention(cls, value):
        if value in ("", None):
            return None
        if int(value) < 1:
            raise ValueError("the retention period is a whole number of months, at least 1, like 24")
        return int(value)

    @field_validator("trusted_proxies")
    @classmethod
    def _are_networks(cls, value: str) -> str:
        for entry in filter(None, (part.strip() for part in value.split(","))):
            ip_network(entry, strict=False)  # a ValueError names the entry that is neither
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
