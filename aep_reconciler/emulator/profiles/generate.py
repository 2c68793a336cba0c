"""Deterministic profile data generated in DuckDB SQL and written as one sandbox's store.

Every value derives from ``hash(row, seed, salt)``: the same counts and seed give the same
store, and 1,000,000 profiles take seconds because DuckDB generates, hashes and writes the
columns in bulk (no Python loop per row). Times fall in 2024-2025, independent of today.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

EPOCH_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
SPAN_MS = 730 * 86_400_000  # two years

_FIRST = "Ada Ben Chloe Dan Emma Finn Grace Hugo Ines Jack Kim Liam Mia Noah Olga Paul Quinn Rosa"
_LAST = "Adams Brown Chen Diaz Evans Fischer Garcia Hughes Ito Jones Kowalski Lopez Muller Novak"
_CITIES = "Berlin Lisbon Paris Austin Seoul Toronto Osaka Dublin Madrid Denver Vienna Oslo"
_COUNTRIES = "DE PT FR US KR CA JP IE ES US AT NO"
_BROWSERS = "Chrome Firefox Safari Edge"
_EVENT_TYPES = "web.webpagedetails.pageViews commerce.productViews commerce.purchases"
# Named audiences first (the demo's manifests refer to them by name); more are numbered.
NAMED_AUDIENCES = (
    ("VIP customers", 150),
    ("Lapsed customers", 200),
    ("Newsletter subscribers", 400),
    ("Cart abandoners", 100),
    ("Loyalty members", 250),
    ("Recent purchasers", 120),
)


@dataclass(frozen=True)
class Audience:
    """A seeded segment definition: id, name, and the share of profiles (per mille) in it."""

    id: str
    name: str
    per_mille: int


def source_datasets(tenant: str) -> tuple[str, str]:
    """The ids of the two datasets profile fragments come from (CRM, web sign-ups)."""
    return tuple(  # type: ignore[return-value]
        hashlib.sha256(f"{tenant}:{name}".encode()).hexdigest()[:24] for name in ("crm", "web")
    )


def audiences(tenant: str, count: int, seed: int) -> list[Audience]:
    """``count`` audiences; ids differ per sandbox, as Adobe's do."""
    out = []
    for index in range(count):
        if index < len(NAMED_AUDIENCES):
            name, share = NAMED_AUDIENCES[index]
        else:
            name, share = f"Audience {index + 1}", 50 + (index * 37) % 250
        digest = hashlib.sha256(f"{tenant}:{seed}:{index}".encode()).digest()
        out.append(Audience(str(uuid.UUID(bytes=digest[:16], version=4)), name, share))
    return out


def _words(text: str) -> str:
    return "[" + ", ".join(f"'{w}'" for w in text.split()) + "]"


def _pick(words: str, salt: str, key: str = "pid") -> str:
    count = len(words.split())
    return f"{_words(words)}[(1 + hash({key}, $seed, '{salt}') % {count})::BIGINT]"


def _ms(salt: str, key: str = "pid") -> str:
    return f"{EPOCH_MS} + (hash({key}, $seed, '{salt}') % {SPAN_MS})::BIGINT"


def _profiles_sql() -> str:
    first, last = _pick(_FIRST, "first"), _pick(_LAST, "last")
    empty = "hash(pid, $seed, 'empty') % 100 < 5"  # ~5% of profiles only have events
    email = f"lower({first} || '.' || {last}) || pid || '@example.com'"
    ecid = "lpad((hash(pid, $seed, 'ecid') % 100000000000000000000)::VARCHAR, 20, '0')"
    return f"""
    CREATE TEMP TABLE base AS
    SELECT pid, NOT ({empty}) AS has_record, {first} AS first, {last} AS last,
           {email} AS email, {ecid} AS ecid
    FROM range($profiles) t(pid)
    """


def _identities_sql() -> str:
    ecid = "{'id': ecid, 'namespace': {'code': 'ECID'}, 'primary': NOT has_record}"
    mail = "{'id': email, 'namespace': {'code': 'Email'}, 'primary': true}"
    crm = "{'id': 'crm-' || pid, 'namespace': {'code': 'CRMID'}, 'primary': false}"
    return f"""
    COPY (
      SELECT pid, has_record,
             CASE WHEN has_record THEN [{mail}, {crm}, {ecid}] ELSE [{ecid}] END AS identities,
             CASE WHEN has_record THEN {_ms("crm-updated")} ELSE {_ms("seen")} END AS updated_ms
      FROM base
    ) TO '{{dir}}/profiles.parquet' (FORMAT parquet)
    """


def _fragments_sql() -> str:
    city = f"hash(pid, $seed, 'city') % {len(_CITIES.split())}"
    home = (
        f"{{'street1': (1 + hash(pid, $seed, 'no') % 200) || ' Main Street', "
        f"'city': {_words(_CITIES)}[(1 + {city})::BIGINT], "
        f"'postalCode': lpad((hash(pid, $seed, 'zip') % 100000)::VARCHAR, 5, '0'), "
        f"'countryCode': {_words(_COUNTRIES)}[(1 + {city})::BIGINT]}}"
    )
    web_name = f"{{'name': {{'firstName': {_pick(_FIRST, 'nick')}, 'lastName': last}}}}"
    web_mail = "{'address': lower(first) || pid || '@mail.example.net'}"
    return f"""
    COPY (
      SELECT pid, $crm AS dataset_id, {_ms("crm-updated")} AS updated_ms,
             {{'name': {{'firstName': first, 'lastName': last}}}} AS person,
             {{'address': email}} AS personalEmail, {home} AS homeAddress
      FROM base WHERE has_record
      UNION ALL
      SELECT pid, $web, {_ms("web-updated")}, {web_name}, {web_mail}, NULL
      FROM base WHERE has_record AND hash(pid, $seed, 'web') % 100 < 40
    ) TO '{{dir}}/fragments.parquet' (FORMAT parquet)
    """


def _events_sql() -> str:
    browser = (
        f"{{'name': {_pick(_BROWSERS, 'browser', 'i')}, "
        f"'version': (90 + hash(i, $seed, 'bv') % 40)::VARCHAR}}"
    )
    return f"""
    COPY (
      SELECT i // $per AS pid, md5(i::VARCHAR || ':' || $seed) AS _id,
             make_timestamp(({_ms("at", "i")}) * 1000) AS timestamp,
             {_pick(_EVENT_TYPES, "type", "i")} AS eventType,
             {{'browserDetails': {browser}}} AS environment,
             {_ms("at", "i")} + (hash(i, $seed, 'lag') % 86400000)::BIGINT AS ingest_ms
      FROM range($profiles * $per) t(i)
    ) TO '{{dir}}/events.parquet' (FORMAT parquet)
    """


def _memberships_sql() -> str:
    roll = "hash(pid, $seed, a.n, 'status') % 100"
    status = (
        f"CASE WHEN {roll} < 55 THEN 'realized' WHEN {roll} < 85 THEN 'existing' ELSE 'exited' END"
    )
    return f"""
    COPY (
      SELECT pid, a.id AS segment_id, 'ups' AS namespace, {status} AS status,
             {EPOCH_MS} + (hash(pid, $seed, a.n, 'qualified') % {SPAN_MS})::BIGINT AS qualified_ms
      FROM range($profiles) t(pid), audiences a
      WHERE hash(pid, $seed, a.n) % 1000 < a.per_mille
    ) TO '{{dir}}/memberships.parquet' (FORMAT parquet)
    """


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> None:
    """DuckDB wants exactly the parameters a statement names."""
    con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})


def write_store(
    folder: Path,
    tenant: str,
    profiles: int,
    events_per_profile: int,
    cast: list[Audience],
    seed: int,
) -> None:
    """Generate the store into a staging folder, then swap it in whole."""
    staging = folder.with_name(folder.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    crm, web = source_datasets(tenant)
    con = duckdb.connect()
    try:
        con.execute("CREATE TEMP TABLE audiences (n INTEGER, id VARCHAR, per_mille INTEGER)")
        con.executemany(
            "INSERT INTO audiences VALUES (?, ?, ?)",
            [(n, a.id, a.per_mille) for n, a in enumerate(cast)],
        )
        params = {
            "seed": seed,
            "profiles": profiles,
            "per": events_per_profile,
            "crm": crm,
            "web": web,
        }
        where = str(staging).replace("'", "''")
        for sql in (_profiles_sql(), _identities_sql(), _fragments_sql(), _events_sql()):
            _run(con, sql.replace("{dir}", where), params)
        _run(con, _memberships_sql().replace("{dir}", where), params)
    finally:
        con.close()
    old = folder.with_name(folder.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
