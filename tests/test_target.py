"""A resolved target: the connection and credentials the environment names for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from aep_reconciler.diagnostics import ConfigError
from aep_reconciler.manifests.project import Project
from aep_reconciler.remote import DEFAULT_IMS_URL, DEFAULT_SCOPES, Connection
from aep_reconciler.target import resolve

NO_CONFIG = Project(Path("."), "demo", {}, None, None)


def _from_env(env: dict[str, str]) -> Connection | None:
    """The connection of the default target with no reconciler.yaml; None: embedded."""
    session = resolve(NO_CONFIG, None, env)
    return None if session.embedded_db is not None else session.connection


FULL = {
    "AEP_PLATFORM_URL": "https://platform.adobe.io/",
    "AEP_ORG_ID": "ABC@AdobeOrg",
    "AEP_CLIENT_ID": "cid",
    "AEP_CLIENT_SECRET": "very-secret",
}


def test_no_platform_url_means_the_embedded_platform() -> None:
    assert _from_env({}) is None
    assert _from_env({"AEP_PLATFORM_URL": "", "AEP_ORG_ID": "x"}) is None


def test_defaults_fill_the_optional_variables() -> None:
    conn = _from_env(FULL)
    assert conn == Connection(
        platform_url="https://platform.adobe.io",
        ims_url=DEFAULT_IMS_URL,
        org_id="ABC@AdobeOrg",
        client_id="cid",
        client_secret="very-secret",
        sandbox="prod",
        scopes=DEFAULT_SCOPES,
    )


def test_optional_variables_are_read() -> None:
    env = {**FULL, "AEP_IMS_URL": "https://ims.test/", "AEP_SANDBOX_NAME": "Dev", "AEP_SCOPES": "a"}
    conn = _from_env(env)
    assert conn is not None
    assert (conn.ims_url, conn.sandbox, conn.scopes) == ("https://ims.test", "dev", "a")


def test_missing_credentials_are_all_named() -> None:
    env = {"AEP_PLATFORM_URL": "https://platform.adobe.io", "AEP_CLIENT_ID": "cid"}
    with pytest.raises(ConfigError) as info:
        _from_env(env)
    message = str(info.value)
    assert "AEP_ORG_ID" in message and "AEP_CLIENT_SECRET" in message
    assert "AEP_CLIENT_ID" not in message


def test_the_secret_is_never_printed() -> None:
    conn = _from_env(FULL)
    assert conn is not None
    assert "very-secret" not in repr(conn)
    assert "very-secret" not in str(conn)
    assert conn.describe() == "https://platform.adobe.io org ABC@AdobeOrg sandbox prod"
