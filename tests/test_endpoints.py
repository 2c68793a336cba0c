"""Base URLs have one reading, and a file may name only Adobe's hosts, loopback, or allowed ones."""

from __future__ import annotations

import pytest

from aep_reconciler.endpoints import (
    ALLOWED_HOSTS_ENV,
    Role,
    allowed_hosts,
    file_url_problem,
    is_adobe_host,
    parse_base_url,
)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://platform.adobe.io", "platform.adobe.io"),
        ("https://Platform.Adobe.IO./", "platform.adobe.io"),
        ("http://127.0.0.1:8080", "127.0.0.1"),
        ("http://[::1]:9/base/path", "::1"),
    ],
)
def test_base_urls_are_split(url: str, host: str) -> None:
    assert parse_base_url(url).host == host


@pytest.mark.parametrize(
    "url",
    [
        "https://platform.adobe.io\x00.evil.test",  # a control character
        "https://platform.adobe.io\r\nX-Injected: 1",
        "https://evil.test\\@platform.adobe.io",  # parsers disagree about backslashes
        "https://evil.test%2f@platform.adobe.io",
        "https://plätform.adobe.io",
        " https://platform.adobe.io",
        "https://platform.adobe.io/a b",
        "https://platform.adobe.io:99999",
        "https://[not-v6]",
        "https://platform.adobe.io?x=1",
        "https://platform.adobe.io#frag",
        "file:///etc/passwd",
        "platform.adobe.io",
    ],
)
def test_ambiguous_or_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_base_url(url)
    assert "\x00" not in str(info.value) and "\n" not in str(info.value)


def test_credentials_in_a_url_are_never_echoed() -> None:
    with pytest.raises(ValueError) as info:
        parse_base_url("https://me:hunter2@platform.adobe.io")
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    ("role", "host", "adobe"),
    [
        (Role.PLATFORM, "platform.adobe.io", True),
        (Role.PLATFORM, "platform-va7.adobe.io", True),
        (Role.PLATFORM, "PLATFORM-nld2.adobe.io.", True),
        (Role.PLATFORM, "platform.adobe.io.evil.test", False),
        (Role.PLATFORM, "evilplatform.adobe.io", False),
        (Role.PLATFORM, "ims-na1.adobelogin.com", False),  # each role has its own hosts
        (Role.IMS, "ims-na1.adobelogin.com", True),
        (Role.IMS, "ims-na1-stg1.adobelogin.com", True),
        (Role.IMS, "ims-na1.adobelogin.com.evil.test", False),
        (Role.IMS, "adobelogin.com", False),
    ],
)
def test_adobe_hosts_per_role(role: Role, host: str, adobe: bool) -> None:
    assert is_adobe_host(role, host) is adobe


@pytest.mark.parametrize(
    "url",
    [
        "https://ims-na1.adobelogin.com",
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "https://[::1]:8443",
    ],
)
def test_a_file_may_name_adobe_and_loopback(url: str) -> None:
    assert file_url_problem(Role.IMS, url) is None


def test_a_file_may_not_name_another_host() -> None:
    problem = file_url_problem(Role.IMS, "https://ims.attacker.test")
    assert problem is not None and "ims.attacker.test" in problem
    assert ALLOWED_HOSTS_ENV in problem and "AEP_IMS_URL" in problem
    http = file_url_problem(Role.PLATFORM, "http://platform.adobe.io")
    assert http is not None and "plain http" in http


def test_the_environment_may_allow_more_hosts() -> None:
    extra = allowed_hosts({ALLOWED_HOSTS_ENV: " gw.corp.test, *.proxy.test ,"})
    assert extra == ("gw.corp.test", "*.proxy.test")
    assert file_url_problem(Role.PLATFORM, "https://gw.corp.test", extra) is None
    assert file_url_problem(Role.PLATFORM, "https://eu.proxy.test", extra) is None
    assert file_url_problem(Role.PLATFORM, "https://proxy.test", extra) is not None
    assert file_url_problem(Role.PLATFORM, "https://evilproxy.test", extra) is not None
    assert file_url_problem(Role.PLATFORM, "https://gw.corp.test.evil", extra) is not None
