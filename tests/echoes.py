"""The spellings in which a server could echo a secret back, written independently of
aep_reconciler.redaction so that the tests check it against something it did not build."""

from __future__ import annotations

import base64
import html
import json
from urllib.parse import quote, quote_plus


def echoes(secret: str, client_id: str = "client") -> dict[str, str]:
    """label → how a careless or hostile server might write ``secret`` back."""
    raw = secret.encode()
    return {
        "literal": secret,
        "upper": secret.upper(),
        "lower": secret.lower(),
        "swapped case": secret.swapcase(),
        "url-encoded": quote(secret, safe=""),
        "url-encoded, upper": quote(secret, safe="").upper(),
        "form-encoded": quote_plus(secret),
        "url-encoded twice over half": "".join(
            quote(c, safe="") if i % 2 else c for i, c in enumerate(secret)
        ),
        "json-escaped": json.dumps(secret)[1:-1],
        "\\u-escaped": "".join(f"\\u{ord(c):04x}" for c in secret),
        "\\u-escaped, upper": "".join(f"\\u{ord(c):04X}" for c in secret),
        "\\x-escaped": "".join(f"\\x{b:02x}" for b in raw),
        "html": "".join(f"&#{ord(c)};" for c in secret),
        "html escape": html.escape(secret),
        "base64": base64.b64encode(raw).decode(),
        "base64 url-safe": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "base64 of id:secret": base64.b64encode(f"{client_id}:{secret}".encode()).decode(),
        "base64 of a longer text": base64.b64encode(b"xy" + raw + b"z").decode(),
        "hex": raw.hex(),
        "truncated": secret[: max(8, len(secret) // 2)],
        "truncated, upper": secret[:10].upper(),
        "truncated base64": base64.b64encode(raw).decode()[:16],
    }


def leaked(text: str, secret: str, client_id: str = "client") -> list[str]:
    """The labels of the spellings of ``secret`` that appear whole in ``text``."""
    return [label for label, spelled in echoes(secret, client_id).items() if spelled in text]
