"""Settings from environment variables (REFERRALS_*), read once at the edges."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

from referrals.store.db import DEFAULT_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REFERRALS_", extra="ignore")

    database_url: str = DEFAULT_URL
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
    # contact checks and quality
    check_dns: bool = False
    dns_timeout: float = 2.0
    quality_threshold: float = 0.5
    # limits
    max_body_bytes: int = 2_000_000
    login_rate_limit: str = "10/minute"


@lru_cache
def get_settings() -> Settings:
    return Settings()
