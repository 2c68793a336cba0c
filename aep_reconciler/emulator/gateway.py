"""The API gateway's header rules (A.1): who is calling, for which tenant."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from aep_reconciler.emulator.responses import gateway_error, problem
from aep_reconciler.emulator.sandboxes import DEFAULT_SANDBOX, SandboxStore, normalise
from aep_reconciler.emulator.tokens import TokenStore

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class Caller:
    """An authenticated call: the tenant is (org, sandbox); the client wrote the change."""

    org_id: str
    sandbox: str
    client_id: str

    @property
    def tenant(self) -> str:
        return f"{self.org_id}/{self.sandbox}"


def authenticate(
    request: Request, tokens: TokenStore, sandboxes: SandboxStore, now_ms: int
) -> Caller:
    """Apply the A.1 rules in the gateway's order or raise the matching HttpError.

    A sandbox the org does not have is refused with 403 in the gateway family (B.1).
    """
    headers = request.headers
    auth = headers.get("authorization")
    if not auth:
        raise gateway_error("403010", "Oauth token is missing.")
    scheme, _, token = auth.partition(" ")
    owner = tokens.owner(token.strip(), now_ms) if scheme.lower() == "bearer" else None
    if owner is None:
        raise gateway_error("401013", "Oauth token is not valid")
    api_key = headers.get("x-api-key")
    if not api_key:
        raise gateway_error("403000", "Api Key is required")
    if api_key != owner.client_id:
        raise gateway_error("403003", "Api Key is invalid")
    org = headers.get("x-gw-ims-org-id")
    if not org:
        raise gateway_error("400003", "Missing header")
    if org != owner.org_id:
        raise gateway_error("403025", "Profile is not valid")
    sandbox = normalise(headers.get("x-sandbox-name") or "") or DEFAULT_SANDBOX
    # "/" would make the tenant key "{org}/{sandbox}" ambiguous: no such sandbox can exist
    if "/" in sandbox or not sandboxes.exists(org, sandbox):
        raise gateway_error("403027", f"Sandbox {sandbox!r} does not exist in this organization")
    return Caller(org_id=org, sandbox=sandbox, client_id=owner.client_id)


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def require_content_type(request: Request, allowed: tuple[str, ...]) -> str:
    """The body's media type, or the A.1 400 when it is missing or not one of ``allowed``."""
    found = media_type(request)
    if request.method in _BODY_METHODS and found not in allowed:
        raise problem(400, "A valid content-type must be specified")
    return found
