"""Connection from the environment, and the URL safety rules."""

from __future__ import annotations

import pytest

from reconciler.diagnostics import ConfigError
from reconciler.endpoints import is_loopback_host
from reconciler.remote import DEFAULT_IMS_URL, DEFAULT_SCOPES, Connection, connection_from_env
from reconciler.remote._config import check_base_url

FULL = {
    "AEP_PLATFORM_URL": "https://platform.adobe.io/",
    "AEP_ORG_ID": "ABC@AdobeOrg",
    "AEP_CLIENT_ID": "cid",
    "AEP_CLIENT_SECRET": "very-secret",
}


def test_no_platform_url_means_the_embedded_platform() -> None:
    assert connection_from_env({}) is None
    assert connection_from_env({"AEP_PLATFORM_URL": "", "AEP_ORG_ID": "x"}) is None


def test_defaults_fill_the_optional_variables() -> None:
    conn = connection_from_env(FULL)
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
    conn = connection_from_env(env)
    assert conn is not None
    assert (conn.ims_url, conn.sandbox, conn.scopes) == ("https://ims.test", "dev", "a")


def test_missing_credentials_are_all_named() -> None:
    env = {"AEP_PLATFORM_URL": "https://platform.adobe.io", "AEP_CLIENT_ID": "cid"}
    with pytest.raises(ConfigError) as info:
        connection_from_env(env)
    message = str(info.value)
    assert "AEP_ORG_ID" in message and "AEP_CLIENT_SECRET" in message
    assert "AEP_CLIENT_ID" not in message


def test_the_secret_is_never_printed() -> None:
    conn = connection_from_env(FULL)
    assert conn is not None
    assert "very-secret" not in repr(conn)
    assert "very-secret" not in str(conn)
    assert conn.describe() == "https://platform.adobe.io org ABC@AdobeOrg sandbox prod"


@pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1", "127.5.6.7", "::1", "[::1]", "api.localhost"]
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["example.com", "10.0.0.1", "128.0.0.1", "localhost.evil.com"])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback_host(host)


def test_https_is_accepted_and_trimmed() -> None:
    assert check_base_url("X", "https://platform.adobe.io/") == "https://platform.adobe.io"


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost", "http://[::1]:9"])
def test_plain_http_is_allowed_for_loopback(url: str) -> None:
    assert check_base_url("X", url) == url


def test_plain_http_elsewhere_is_refused() -> None:
    with pytest.raises(ConfigError, match="plain http"):
        check_base_url("AEP_PLATFORM_URL", "http://platform.adobe.io")


def test_plain_http_is_allowed_through_an_injected_transport() -> None:
    assert check_base_url("X", "http://emulator", transport_injected=True) == "http://emulator"


@pytest.mark.parametrize("url", ["ftp://x.test", "platform.adobe.io", "https://", "https://a/?q=1"])
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError):
        check_base_url("X", url)


def test_credentials_in_a_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(ConfigError) as info:
        check_base_url("AEP_PLATFORM_URL", "https://user:hunter2@platform.adobe.io")
    assert "hunter2" not in str(info.value)
