"""Access tokens: issued opaque, stored hashed in SQLite, bound to one org and client."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from aep_reconciler.emulator.database import Database


@dataclass(frozen=True)
class TokenOwner:
    org_id: str
    client_id: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def issue(self, owner: TokenOwner, now_ms: int, ttl_s: int) -> str:
        token = "eyJ" + secrets.token_urlsafe(48)  # opaque; shaped like IMS's JWT-looking tokens
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM tokens WHERE expires_ms <= ?", (now_ms,))
            conn.execute(
                "INSERT INTO tokens (token_hash, org_id, client_id, expires_ms) VALUES (?,?,?,?)",
                (_digest(token), owner.org_id, owner.client_id, now_ms + ttl_s * 1000),
            )
        return token

    def owner(self, token: str, now_ms: int) -> TokenOwner | None:
        """Who the token belongs to, or None when it is unknown or expired."""
        row = self._db.conn.execute(
            "SELECT org_id, client_id FROM tokens WHERE token_hash = ? AND expires_ms > ?",
            (_digest(token), now_ms),
        ).fetchone()
        return None if row is None else TokenOwner(row["org_id"], row["client_id"])
