"""The URL safety rules."""

from __future__ import annotations

import pytest

from aep_reconciler.diagnostics import ConfigError
from aep_reconciler.endpoints import is_loopback_host
from aep_reconciler.remote._config import check_base_url


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
