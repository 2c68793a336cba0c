"""The error body families of AEP (gateway, RFC 7807, UPS, OAuth2) and JSON answers."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.responses import Response

PLACEHOLDER_TYPE = "/placeholder/type/uri"

_TITLES = {
    400: "BadRequestError",
    401: "UnauthorizedError",
    403: "ForbiddenError",
    404: "NotFoundError",
    405: "MethodNotAllowedError",
    409: "ConflictError",
    412: "PreconditionFailedError",
    415: "UnsupportedMediaTypeError",
    500: "InternalServerError",
}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return Response(text, status, headers=headers, media_type="application/json")


class HttpError(Exception):
    """Raised by handlers and turned into its response by the app's exception handler."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def gateway_error(code: str, message: str) -> HttpError:
    """``{"error_code","message"}``; the first three digits of the code are the status."""
    return HttpError(json_response({"error_code": code, "message": message}, int(code[:3])))


def problem(status: int, detail: str, report: Any = None) -> HttpError:
    """RFC 7807-like body of the Catalog service."""
    body: dict[str, Any] = {
        "type": PLACEHOLDER_TYPE,
        "status": status,
        "title": _TITLES.get(status, "Error"),
        "detail": detail,
    }
    if report is not None:
        body["report"] = report
    return HttpError(json_response(body, status))


def ups_error(status: int, code: str, messages: list[str]) -> HttpError:
    """The Profile/UPS family: ``{"requestId","errors":{"400":[…]},"type","title","status"}``."""
    body = {
        "requestId": str(uuid.uuid4()),
        "errors": {str(status): [{"code": code, "message": m} for m in messages]},
        "type": PLACEHOLDER_TYPE,
        "title": _TITLES.get(status, "Error"),
        "status": status,
    }
    return HttpError(json_response(body, status))


def oauth_error(status: int, error: str, description: str) -> HttpError:
    return HttpError(
        json_response(
            {"error": error, "error_description": description},
            status,
            headers={"Cache-Control": "no-store"},
        )
    )
