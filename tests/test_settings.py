import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from supportagent.env import env_bool, env_decimal, env_float, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "support.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "OPENAI_BASE_URL": "https://llm.example.com/v1",
    "OPENAI_API_KEY": "sk-test",
}


def manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_the_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_a_secret_key_names_the_missing_variable():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_the_embedded_default_needs_no_variables():
    result = manage("check", env={})
    assert result.returncode == 0, result.stderr


def test_env_helpers_parse_and_default(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "7")
    monkeypatch.setenv("X_FLOAT", "0.25")
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_bool("X_BOOL", False) is True and env_bool("X_MISSING", True) is True
    assert env_int("X_INT", 1) == 7 and env_int("X_MISSING", 3) == 3
    assert env_float("X_FLOAT", 1.0) == 0.25
    assert env_list("X_LIST", []) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("helper", "value"), [(env_bool, "maybe"), (env_int, "seven"), (env_float, "abc"), (env_decimal, "lots")]
)
def test_a_malformed_value_names_its_variable(monkeypatch, helper, value):
    monkeypatch.setenv("X_BAD", value)
    with pytest.raises(ImproperlyConfigured, match="X_BAD"):
        helper("X_BAD", "0")


def test_production_settings_send_pages_over_https_only_with_secure_cookies():
    printed = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.X_FRAME_OPTIONS)",
        env=PRODUCTION,
    )
    assert printed.stdout.strip().splitlines()[-1].split() == [
        "True",
        "31536000",
        "True",
        "True",
        "True",
        "DENY",
    ], printed.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/chat/", "/widget/demo/", "/admin/login/", "/review/", "/widget/api/conversation/"]
)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_readme_names_every_variable_the_settings_read():
    root = Path(__file__).resolve().parent.parent
    source = (root / "supportagent" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|float|decimal|list|required)\("([A-Z_]+)"', source))
    readme = (root / "README.md").read_text()
    assert len(read) > 60
    assert sorted(name for name in read if f"`{name}`" not in readme) == []
