"""Where reconciler may send requests: the base URLs it accepts and the hosts a file may name.

A base URL must have one unambiguous reading: ``http(s)://host[:port][/path]`` with a host
of letters, digits, dots and dashes (or a bracketed IPv6 address) and nothing that parsers
disagree about (userinfo, backslashes, percent-escapes, spaces, control characters).
Plain http only reaches loopback. reconciler.yaml comes from whoever writes the pull
request, so a URL written there must name one of Adobe's hosts for its role, or loopback
(the embedded platform served locally), or a host the environment allows in
``RECONCILER_ALLOWED_HOSTS``; URLs set in the environment belong to the workflow and are
taken as given.
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass

ALLOWED_HOSTS_ENV = "RECONCILER_ALLOWED_HOSTS"

_URL = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://"
    r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.?|\[[0-9A-Fa-f:.]+\])"
    r"(?::(?P<port>[0-9]{1,5}))?"
    r"(?P<path>(?:/[A-Za-z0-9._~-]*)*)"
)
_PRINTABLE = re.compile(r"[\x21-\x7e]+")


class Role(enum.Enum):
    """What a base URL is for; each role has its own Adobe hosts."""

    PLATFORM = "platformUrl"
    IMS = "imsUrl"


# platform.adobe.io, and Adobe's regional or stage gateways: platform-va7.adobe.io, ...
# IMS: ims-na1.adobelogin.com and its regional or stage siblings (ims-na1-stg1...).
_ADOBE_HOSTS = {
    Role.PLATFORM: re.compile(r"platform(-[a-z0-9]+)*\.adobe\.io"),
    Role.IMS: re.compile(r"ims-[a-z0-9]+(-[a-z0-9]+)*\.adobelogin\.com"),
}
ADOBE_EXAMPLES = {Role.PLATFORM: "platform.adobe.io", Role.IMS: "ims-na1.adobelogin.com"}


@dataclass(frozen=True)
class BaseUrl:
    scheme: str
    host: str  # lowercase, without a trailing dot or IPv6 brackets
    url: str  # the URL as given, without a trailing slash


def shown(url: str) -> str:
    """``url`` quoted for a message when it is plain printable ASCII, else a description."""
    if _PRINTABLE.fullmatch(url) and "@" not in url:
        return repr(url)
    return "(a URL with spaces, control characters, non-ASCII characters or credentials)"


def parse_base_url(url: str) -> BaseUrl:
    """``url`` split into scheme and host, or ValueError saying what is wrong (never echoing
    credentials or control characters)."""
    if "@" in url:
        raise ValueError("must not contain credentials; use the secret's environment variable")
    match = _URL.fullmatch(url.strip())
    if match is None or url != url.strip():
        raise ValueError(f"must be a base URL such as https://platform.adobe.io, got {shown(url)}")
    scheme = match["scheme"].lower()
    if scheme not in ("https", "http"):
        raise ValueError(f"must be an https:// URL, got {shown(url)}")
    port = match["port"]
    if port is not None and not 0 < int(port) < 65536:
        raise ValueError(f"has an invalid port, got {shown(url)}")
    host = match["host"].strip("[]").rstrip(".").lower()
    if "[" in match["host"]:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"has an invalid IPv6 address, got {shown(url)}") from None
    return BaseUrl(scheme, host, url.rstrip("/"))


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1: the only hosts plain http may reach."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_adobe_host(role: Role, host: str) -> bool:
    return _ADOBE_HOSTS[role].fullmatch(host.rstrip(".").lower()) is not None


def allowed_hosts(env: Mapping[str, str]) -> tuple[str, ...]:
    """The extra hosts the environment allows a file to name: ``a.example,*.corp.example``."""
    raw = env.get(ALLOWED_HOSTS_ENV, "")
    return tuple(h.strip().rstrip(".").lower() for h in raw.split(",") if h.strip())


def _listed(host: str, extra: tuple[str, ...]) -> bool:
    for allowed in extra:
        if allowed.startswith("*."):
            if host.endswith(allowed[1:]) and len(host) > len(allowed) - 1:
                return True
        elif host == allowed:
            return True
    return False


def file_url_problem(role: Role, url: str, extra: tuple[str, ...] = ()) -> str | None:
    """Why a file may not name ``url`` as its ``role`` endpoint, or None when it may."""
    try:
        base = parse_base_url(url)
    except ValueError as exc:
        return str(exc)
    if base.scheme == "http" and not is_loopback_host(base.host):
        return f"{shown(url)} uses plain http; use https (http only reaches loopback)"
    if is_adobe_host(role, base.host) or is_loopback_host(base.host) or _listed(base.host, extra):
        return None
    return (
        f"host {base.host} is not Adobe's ({ADOBE_EXAMPLES[role]}) or loopback; reconciler "
        f"sends credentials only there unless the workflow allows the host in {ALLOWED_HOSTS_ENV} "
        f"(or sets AEP_{'PLATFORM' if role is Role.PLATFORM else 'IMS'}_URL itself)"
    )
