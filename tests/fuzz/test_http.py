"""An HTTP fuzzer against ``reconciler emulator serve``: requests generated from the API
description (tests/fuzz/api_description.py), valid-looking and hostile alike, get no 5xx,
no dropped connection, no traceback in the server's output, and the server's memory stays
bounded. Adobe's own OpenAPI operations join ours when the files are next to the
checkout (tests/fuzz/adobe_openapi.py). The budget is small (a few hundred requests) so
it runs with the suite."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.emulator.emu_support import served
from tests.fuzz import adobe_openapi
from tests.fuzz.api_description import OPERATIONS, Operation

ORG, CLIENT, SECRET = "embedded@AdobeOrg", "reconciler-embedded", "embedded-secret"
MAX_RSS_MB = 400
Server = tuple[str, Any, dict[str, str]]  # url, process, the headers of a valid token

digits = st.text("0123456789", min_size=1, max_size=30)
odd_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "-1", "١٠", "9" * 400, "1e999", "NaN", "%00", "a,b,,c", "*", "!x"]),
)
QUERY_VALUES = {
    "int": st.one_of(digits, odd_text),
    "text": odd_text,
    "csv": st.lists(st.sampled_from(["name", "tags", "x", "", "created"]), max_size=5).map(
        ",".join
    ),
    "tags": st.one_of(st.just("reconciler-stack:*"), odd_text),
    "order": st.sampled_from(["asc:created", "desc:name", "up:x", "", "asc:", "::"]),
    "cursor": st.one_of(st.tuples(digits, digits).map("_".join), odd_text),
}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


PATCH_PATHS = ["/name", "/tags/a", "/tags/a/0", "/tags/a/" + "9" * 20, "/tags/a/١", "", "x"]
PATCH_OPS = ["add", "remove", "replace", "move", "copy", "test", "x"]
text = st.text(max_size=20)
BODIES: dict[str, Any] = {
    "dataset": st.one_of(
        st.fixed_dictionaries(
            {"name": text, "schemaRef": st.fixed_dictionaries({"id": text})},
            optional={"tags": json_values, "observableSchema": json_values},
        ),
        json_values,
    ),
    "patch": st.dictionaries(
        st.sampled_from(["name", "description", "tags", "version", "x"]), json_values, max_size=4
    ),
    "json-patch": st.lists(
        st.fixed_dictionaries(
            {"op": st.sampled_from(PATCH_OPS), "path": st.sampled_from(PATCH_PATHS)},
            optional={"value": json_values, "from": st.sampled_from(["/name", "/tags", "/"])},
        ),
        max_size=8,
    ),
    "job": st.one_of(
        st.fixed_dictionaries(
            {
                "destination": st.fixed_dictionaries({"datasetId": text}),
                "schema": st.fixed_dictionaries({"name": text}),
            },
            optional={"fields": text, "filter": json_values, "mergePolicy": json_values},
        ),
        json_values,
    ),
}
HOSTILE_BODIES = [_deep(5000), '{"a": NaN}', '{"n": ' + "9" * 5000 + "}", "not json", ""]
FORM_FIELDS = ["grant_type", "client_id", "client_secret", "scope"]
ids = st.one_of(
    digits,
    st.text("abcdef0123456789", max_size=24),
    odd_text.filter(lambda t: not set(t) & set("/?#")),
)


# Our description, plus Adobe's own operations and parameters where this machine has them.
ALL_OPERATIONS = (*OPERATIONS, *adobe_openapi.operations())


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, dict[str, Any]]:
    op: Operation = draw(st.sampled_from(ALL_OPERATIONS))
    path = op.path.replace(
        "{id}",
        draw(
            st.one_of(
                digits,
                st.text("abcdef0123456789", max_size=24),
                odd_text.filter(lambda t: "/" not in t and "?" not in t and "#" not in t),
            )
        ),
    )
    params = {
        name: draw(QUERY_VALUES[kind]) for name, kind in op.query.items() if draw(st.booleans())
    }
    kw: dict[str, Any] = {"params": params}
    if op.body == "form":
        kw["data"] = draw(
            st.dictionaries(
                st.sampled_from(["grant_type", "client_id", "client_secret", "scope"]),
                st.text(max_size=20),
            )
        )
    elif op.body is not None:
        raw = draw(
            st.one_of(
                BODIES[op.body].map(json.dumps),
                st.sampled_from(
                    [_deep(5000), '{"a": NaN}', '{"n": ' + "9" * 5000 + "}", "not json", ""]
                ),
            )
        )
        media = "application/json-patch+json" if op.body == "json-patch" else "application/json"
        kw["content"] = raw.encode()
        kw["headers"] = {"content-type": media}
    return op.method, path, kw


# fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = tmp_path_factory.mktemp("fuzz") / "platform.db"
    with served(db) as (url, proc):
        token = httpx.post(
            f"{url}/ims/token/v3",
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT,
                "client_secret": SECRET,
                "scope": "openid",
            },
        ).json()["access_token"]
        headers = {
            "Authorization": f"Bearer {token}",
            "x-api-key": CLIENT,
            "x-gw-ims-org-id": ORG,
            "x-sandbox-name": "prod",
        }
        assert proc.stderr is not None
        os.set_blocking(proc.stderr.fileno(), False)
        yield url, proc, headers
        proc.terminate()
        proc.wait(timeout=20)
        _assert_no_traceback(proc)


def _server_output(proc: Any) -> str:
    """What the server wrote to stderr since the last look (never blocks)."""
    chunks = []
    while True:
        try:
            chunk = os.read(proc.stderr.fileno(), 1 << 16)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def _assert_no_traceback(proc: Any) -> None:
    output = _server_output(proc)
    assert "Traceback" not in output and "Exception" not in output, output[-3000:]


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return 0.0
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(request=requests())
def test_no_request_gets_a_5xx_or_breaks_the_server(
    server: tuple[str, Any, dict[str, str]], request: tuple[str, str, dict[str, Any]]
) -> None:
    url, proc, auth = server
    method, path, kw = request
    headers = {**auth, **kw.pop("headers", {})}
    try:
        answer = httpx.request(method, url + path, headers=headers, timeout=30, **kw)
    except httpx.InvalidURL:
        return  # the client refused to send it; nothing reached the server
    assert answer.status_code < 500, (method, path, kw, answer.status_code, answer.text[:300])
    assert proc.poll() is None, "the server died"
    _assert_no_traceback(proc)
    assert _rss_mb(proc.pid) < MAX_RSS_MB


@pytest.mark.skipif(not adobe_openapi.available(), reason="Adobe's OpenAPI files are not here")
def test_adobe_operations_the_platform_serves_are_all_fuzzed() -> None:
    adobe = adobe_openapi.operations()
    served = {(op.method, op.path) for op in adobe}
    assert {
        ("GET", "/data/foundation/catalog/dataSets"),
        ("POST", "/data/core/ups/export/jobs"),
    } <= served
    listing = next(op for op in adobe if op.path.endswith("/dataSets") and op.method == "GET")
    assert {"limit", "start", "properties", "orderBy", "property", "tags"} <= set(listing.query)
    # and our own description names no Catalog or UPS operation that Adobe does not document
    ours = {(op.method, op.path) for op in OPERATIONS if not op.path.startswith("/ims/")}
    assert ours <= served
