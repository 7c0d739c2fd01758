"""One settings object for the whole application, read from ``GRIDGOV_*`` environment variables."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "insecure-development-secret-change-me"
DEFAULT_DATA_KEY = "insecure-development-data-key-change-me"


class Mode(StrEnum):
    DEMO = "demo"
    TEST = "test"
    PRODUCTION = "production"


class InsecureSettingsError(RuntimeError):
    """Raised when the app would run outside demo/test with a secret from the source code."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRIDGOV_", env_file=".env", extra="ignore")

    mode: Mode = Mode.PRODUCTION
    database_url: str = "sqlite:///./gridgov.db"
    # Signs sessions and tokens.
    secret_key: str = DEFAULT_SECRET_KEY
    # Encrypts sensitive columns (ID numbers, phones) and keys their lookup hashes.
    data_key: str = DEFAULT_DATA_KEY
    # Keys replaced by `gridgov keys rotate` (comma-separated, oldest first): still read, never
    # written with — ciphertexts and trail entries made under them keep verifying
    # (docs/operations.md, key rotation).
    retired_secret_keys: str = ""
    retired_data_keys: str = ""
    sql_echo: bool = False
    # Largest accepted request body; photos have their own limit.
    max_body_bytes: int = 2 * 1024 * 1024
    max_photo_bytes: int = 8 * 1024 * 1024
    media_dir: Path = Path("var/media")
    default_language: str = "zh-CN"
    # Every time on a screen (pages, the phone app) is shown in the city's zone (IANA name).
    time_zone: str = "Asia/Shanghai"
    city_name: str = "宜昌市"
    city_code: str = "420500"
    access_token_minutes: int = 60 * 8
    session_idle_minutes: int = 30
    # How long a process remembers a resolved session (auth/session_cache.py): a session revoked
    # or an account changed in another worker is refused there within this time; 0: never.
    session_cache_seconds: float = Field(default=5.0, ge=0, le=60)
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    # Sign-in attempts a minute from one address, whatever the account (kit/throttle.py).
    signin_per_ip_per_minute: int = 60
    # Shared state for rate limits across workers (redis://host:6379/0); memory when unset.
    redis_url: str | None = None
    # The trail's external anchor (audit/anchor.py): an Ed25519 private key that is not the
    # application secret, and an append-only directory for the signed chain heads.
    anchor_key_file: Path | None = None
    anchor_dir: Path | None = None
    # One JSON line per request on stderr (ops/observability.py); /metrics for loopback
    # clients, or for anyone with this bearer token when it is set.
    request_log: bool = True
    metrics_token: str | None = None
    host: str = "127.0.0.1"
    # Host header values the app answers, comma-separated ("grid.example.gov.cn,*.example.org");
    # unset: any in demo/test mode, this machine's names in production (kit/security.py).
    allowed_hosts: str = ""
    # Send Strict-Transport-Security on every response (it is always sent over TLS).
    hsts: bool = False
    port: int = Field(default=8000, ge=1, le=65535)
    # The embedded job scheduler in `gridgov serve` (None: on, except in mode test).
    scheduler_embedded: bool | None = None
    # Background map of every map page. An XYZ tile URL ({z}/{x}/{y}, e.g. an own tile server);
    # or a 天地图 key (its vector tiles and labels); neither: the vector base map stored in the
    # database (roads, compounds, buildings, names), which needs no internet.
    map_tile_url: str = ""
    map_tile_attribution: str = ""
    map_tianditu_key: str = ""
    # Days after closure in which a resident may answer "not fixed" and reopen the case.
    reopen_days: int = Field(default=14, ge=0, le=365)
    # A person in the base whom no department source has carried for this many years is a
    # finding for the community (sources/findings.py).
    sources_unseen_years: int = Field(default=3, ge=1, le=50)

    @property
    def secret_key_ring(self) -> tuple[str, ...]:
        """Every signing secret still honoured, oldest first; the last is the current one."""
        return (*_listed(self.retired_secret_keys), self.secret_key)

    @property
    def data_key_ring(self) -> tuple[str, ...]:
        """Every data key still read, oldest first; the last is the current one."""
        return (*_listed(self.retired_data_keys), self.data_key)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def check_secrets(self) -> None:
        """Refuse the secrets shipped in the source code unless this is a demo or a test."""
        if self.mode in (Mode.DEMO, Mode.TEST):
            return
        weak = [
            name
            for name, value, default in (
                ("GRIDGOV_SECRET_KEY", self.secret_key, DEFAULT_SECRET_KEY),
                ("GRIDGOV_DATA_KEY", self.data_key, DEFAULT_DATA_KEY),
            )
            if value == default or len(value) < 32
        ]
        if weak:
            raise InsecureSettingsError(
                f"{', '.join(weak)} must be set to a random value of at least 32 characters "
                "outside demo mode / 生产模式必须设置随机密钥"
            )


def _listed(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
