"""HISTORY_DATABASE_URL picks the store: SQLite when empty, PostgreSQL otherwise; the service,
its health and the API work the same on both, and the password is never shown."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from promptimp.api import create_app
from promptimp.history import SQLiteStore, open_history
from promptimp.history.postgres import PostgresStore
from promptimp.settings import Settings, SettingsError, load_settings
from tests.support import dummy_service

SECRET_URL = "postgresql://team:s3cret-pass@db.example:5432/history"


def test_an_empty_url_means_sqlite_and_a_postgresql_url_means_postgresql(tmp_path):
    sqlite = open_history(Settings(SQLITE_DB_PATH=str(tmp_path / "h.db")))
    assert isinstance(sqlite, SQLiteStore) and sqlite.location == str(tmp_path / "h.db")
    postgres = open_history(Settings(HISTORY_DATABASE_URL=SECRET_URL))
    assert isinstance(postgres, PostgresStore)
    assert postgres.location == "postgresql://team@db.example:5432/history"
    assert open_history(Settings(SQLITE_ENABLED=False)) is None
    assert isinstance(
        open_history(Settings(SQLITE_ENABLED=False, HISTORY_DATABASE_URL=SECRET_URL)), PostgresStore
    )


def test_a_url_of_another_kind_is_one_line_naming_the_setting():
    with pytest.raises(SettingsError) as caught:
        load_settings(HISTORY_DATABASE_URL="mysql://x@y/z")
    assert str(caught.value) == (
        "Invalid setting HISTORY_DATABASE_URL='mysql://x@y/z': Value error, must be empty"
        " (SQLite) or a postgresql:// URL."
    )


def test_the_password_is_masked_wherever_settings_are_shown():
    settings = Settings(HISTORY_DATABASE_URL=SECRET_URL)
    assert settings.public_view()["HISTORY_DATABASE_URL"] == (
        "postgresql://team:****@db.example:5432/history"
    )
    assert "s3cret-pass" not in repr(settings)
    assert settings.redact("failed at s3cret-pass") == "failed at ****"
    assert settings.history_location == "postgresql://team:****@db.example:5432/history"


def test_the_service_stores_and_reports_health_on_postgresql(pg_url, tmp_path):
    service = dummy_service(tmp_path / "unused.db", HISTORY_DATABASE_URL=pg_url)
    assert service.history.location.startswith("postgresql://")
    result = service.improve("Design a REST API for user management")
    assert result.stored and service.history.get(result.run.id) == result.run
    health = service.health()
    assert (health.status, health.total_records) == ("healthy", 1)
    assert health.database_path == service.history.location
    assert not (tmp_path / "unused.db").exists()


def test_the_api_serves_history_from_postgresql(pg_url, tmp_path):
    service = dummy_service(tmp_path / "unused.db", HISTORY_DATABASE_URL=pg_url)
    client = TestClient(create_app(service), base_url="http://localhost")  # an allowed host
    assert (
        client.post("/api/v1/improve-prompt", json={"idea": "Write a haiku about rain"}).status_code
        == 200
    )
    page = client.get("/api/v1/history", params={"search": "haiku"}).json()
    assert (page["total"], page["items"][0]["original_idea"]) == (1, "Write a haiku about rain")
    assert client.get("/api/v1/stats").json()["total_count"] == 1
