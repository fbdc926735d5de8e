"""Configuration errors and the CLI, run as a user runs them: as a subprocess."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.servers import zabota_cli


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE: unknown timezone"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: only sqlite"),
        ("DEFAULT_LANGUAGE", "de", "DEFAULT_LANGUAGE"),
        ("REDIS_URL", "http://localhost", "REDIS_URL: must start with redis://"),
        ("SECRET_KEY", "short", "SECRET_KEY: must be at least 32 characters"),
    ],
)
def test_invalid_configuration_is_one_clear_line(tmp_path, variable, value, expected):
    result = zabota_cli("migrate", env={"ZABOTA_DATA_DIR": str(tmp_path), variable: value})
    assert result.returncode == 2
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_secret_key_is_generated_once_and_kept(tmp_path):
    env = {"ZABOTA_DATA_DIR": str(tmp_path)}
    assert zabota_cli("migrate", env=env).returncode == 0
    key_file = tmp_path / "secret_key"
    first = key_file.read_text()
    assert len(first) >= 32
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert zabota_cli("migrate", env=env).returncode == 0
    assert key_file.read_text() == first
    assert (tmp_path / "zabota.db").exists()


def test_create_user_and_issue_token_from_the_cli(tmp_path):
    env = {"ZABOTA_DATA_DIR": str(tmp_path), "SECRET_KEY": TEST_SECRET_KEY}
    assert zabota_cli("migrate", env=env).returncode == 0
    created = zabota_cli(
        "create-user",
        "--email",
        "boss@example.test",
        "--name",
        "Босс",
        "--role",
        "admin",
        "--password",
        "long-enough-1",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    assert "Created admin boss@example.test" in created.stdout
    duplicate = zabota_cli(
        "create-user",
        "--email",
        "boss@example.test",
        "--name",
        "B",
        "--role",
        "admin",
        "--password",
        "long-enough-1",
        env=env,
    )
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
    token = zabota_cli("api-token", "boss@example.test", "--scope", "read", env=env)
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().startswith("zbt_")
    missing = zabota_cli("api-token", "ghost@example.test", env=env)
    assert missing.returncode == 1


def test_serve_refuses_an_unmigrated_database(tmp_path):
    result = zabota_cli("serve", "--port", "0", env={"ZABOTA_DATA_DIR": str(tmp_path), "SECRET_KEY": TEST_SECRET_KEY})
    assert result.returncode == 2
    assert "zabota migrate" in result.stderr


def test_demo_data_prints_the_widget_snippet_for_the_address_it_will_be_served_on(tmp_path):
    env = {"ZABOTA_DATA_DIR": str(tmp_path), "SECRET_KEY": TEST_SECRET_KEY}
    assert zabota_cli("migrate", env=env).returncode == 0
    loaded = zabota_cli("demo-data", "--conversations", "10", "--base-url", "http://127.0.0.1:8011/", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "http://127.0.0.1:8011/widget/demo" in loaded.stdout
    assert '<script src="http://127.0.0.1:8011/widget.js" data-inbox="zw_' in loaded.stdout
