"""Where the client connects and with which credentials (Connection), and URL safety."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aep_reconciler.diagnostics import ConfigError
from aep_reconciler.endpoints import is_loopback_host, parse_base_url, shown

DEFAULT_IMS_URL = "https://ims-na1.adobelogin.com"
DEFAULT_SCOPES = "openid,AdobeID,read_organizations,additional_info.projectedProductContext,session"
DEFAULT_SANDBOX = "prod"


@dataclass(frozen=True)
class Connection:
    """A target platform and the credential used there; the secret is never printed."""

    platform_url: str
    ims_url: str
    org_id: str
    client_id: str
    client_secret: str = field(repr=False)
    sandbox: str = DEFAULT_SANDBOX
    scopes: str = DEFAULT_SCOPES
    # The embedded platform's documented credential: nothing to hide, and redacting it
    # would mangle every message that says "embedded".
    well_known_secret: bool = False

    def describe(self) -> str:
        """A one-liner safe for logs and output: base URL, org and sandbox."""
        return f"{self.platform_url} org {self.org_id} sandbox {self.sandbox}"


def check_base_url(what: str, url: str, *, transport_injected: bool = False) -> str:
    """Return ``url`` without a trailing slash, or raise ConfigError if it is unsafe to use.

    The URL must have one unambiguous reading (aep_reconciler.endpoints); https is required,
    except plain http to a loopback host or through an injected transport (an in-process
    app never leaves the process). Credentials in the URL are refused without echoing them.
    """
    try:
        base = parse_base_url(url)
    except ValueError as exc:
        raise ConfigError(f"{what} {exc}") from None
    if base.scheme == "http" and not (transport_injected or is_loopback_host(base.host)):
        raise ConfigError(
            f"{what} {shown(url)} uses plain http; use https (http is allowed only for "
            "localhost, 127.0.0.0/8 and ::1)"
        )
    return base.url


_HEADER_VALUE = re.compile(r"[\x21-\x7e]+")


def check_header_value(what: str, value: str) -> str:
    """``value`` if an HTTP header can carry it as is (visible ASCII), else ConfigError."""
    if not _HEADER_VALUE.fullmatch(value):
        raise ConfigError(
            f"{what} must be visible ASCII without spaces (a header carries it); "
            "it holds a space, a control character or a non-ASCII character"
        )
    return value
