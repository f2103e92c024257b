"""Settings: secrets, defaults, help texts and their documentation."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from junheng.web.settings import MIN_SECRET_LENGTH, WebSettings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "platform.md"
GOOD_KEY = "k" * MIN_SECRET_LENGTH


@pytest.fixture(autouse=True)
def _no_junheng_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in WebSettings.model_fields:
        monkeypatch.delenv(f"JUNHENG_{name.upper()}", raising=False)


def test_production_needs_secret_key() -> None:
    with pytest.raises(ValidationError, match="JUNHENG_SECRET_KEY is missing"):
        WebSettings()


@pytest.mark.parametrize("key", ["changeme", "CHANGEME", "secret", "short-key"])
def test_placeholder_or_short_secret_rejected(key: str) -> None:
    with pytest.raises(ValidationError, match="placeholder or shorter"):
        WebSettings(secret_key=key)


@pytest.mark.parametrize("mode", ["dev", "demo"])
def test_dev_and_demo_generate_key(mode: str) -> None:
    settings = WebSettings(mode=mode)
    key = settings.signing_key()
    assert len(key) >= MIN_SECRET_LENGTH
    assert settings.signing_key() == key


def test_settings_read_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUNHENG_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("JUNHENG_MAX_UPLOAD_BYTES", "4096")
    monkeypatch.setenv("JUNHENG_SECURE_COOKIES", "true")
    settings = WebSettings()
    assert settings.signing_key() == GOOD_KEY
    assert settings.max_upload_bytes == 4096
    assert settings.secure_cookies is True


def test_empty_variable_counts_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUNHENG_FRAMEWORK", "")
    monkeypatch.setenv("JUNHENG_MODE", "")
    monkeypatch.setenv("JUNHENG_SECRET_KEY", GOOD_KEY)
    settings = WebSettings()
    assert settings.framework == "cn-2017-quality"
    assert settings.mode == "production"


def test_every_setting_has_default_and_help() -> None:
    for name, field in WebSettings.model_fields.items():
        assert not field.is_required(), name
        assert field.description and field.description.endswith("."), name


def test_every_setting_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    text = text[text.index("\n## Web\n") :]
    for name, field in WebSettings.model_fields.items():
        row = f"| `JUNHENG_{name.upper()}` |"
        assert row in text, name
        line = next(line for line in text.splitlines() if line.startswith(row))
        assert field.description in line, name
