"""Production refuses to start with development defaults."""

import pytest

from app import create_app


def test_production_needs_a_real_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "dev-only-not-secret",
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_refuses_demo_mode():
    with pytest.raises(RuntimeError, match="Demomodus"):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "x" * 40, "DEMO_MODE": True,
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_with_real_settings_starts():
    app = create_app({"ENV_NAME": "production", "SECRET_KEY": "x" * 40,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert not app.config["DEMO_MODE"]


def test_database_url_forms_are_normalised(monkeypatch):
    from app import config

    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert config._database_url() == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert config._database_url() == "postgresql+psycopg://u@h/db"
