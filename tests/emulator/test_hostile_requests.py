"""Malformed requests get a 4xx from the embedded platform, quickly and in bounded memory:
huge or non-ASCII numbers, many parameters, deep or non-finite JSON, JSON Patch bombs."""

from __future__ import annotations

import json
import time
import tracemalloc
from typing import Any

import pytest

from aep_reconciler.emulator import Credential, EmulatorConfig
from tests.emulator.emu_support import DATASETS, JOBS, Api

pytestmark = pytest.mark.anyio

JSON = {"content-type": "application/json"}
PATCH = {"content-type": "application/json-patch+json"}


def _cases(dataset: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
    copies = [{"op": "add", "path": "/observableSchema", "value": {"a": list(range(8))}}]
    copies += [
        {"op": "copy", "from": "/observableSchema", "path": f"/observableSchema/c{i}"}
        for i in range(40)
    ]
    one = f"{DATASETS}/{dataset}"
    return {
        "huge start": ("GET", DATASETS, {"params": {"start": "9" * 400}}),
        "non-ASCII limit": ("GET", DATASETS, {"params": {"limit": "١٠"}}),
        "many filters": ("GET", DATASETS, {"params": {f"f{i}": "x" for i in range(300)}}),
        "huge createdAfter": ("GET", DATASETS, {"params": {"createdAfter": "9" * 5000}}),
        "deep body": ("POST", DATASETS, {"content": "[" * 50_000 + "]" * 50_000, "headers": JSON}),
        "deep field": (
            "POST",
            DATASETS,
            {
                "content": '{"name":"a","schemaRef":{"id":"x"},"observableSchema":'
                + '{"a":' * 100
                + "1"
                + "}" * 100
                + "}",
                "headers": JSON,
            },
        ),
        "NaN": ("POST", DATASETS, {"content": '{"name": NaN}', "headers": JSON}),
        "huge number": ("POST", JOBS, {"content": '{"x":' + "9" * 5000 + "}", "headers": JSON}),
        "huge job id": ("GET", f"{JOBS}/{'9' * 5000}", {}),
        "non-ASCII job id": ("DELETE", f"{JOBS}/١٢", {}),
        "huge offset": ("GET", JOBS, {"params": {"offset": "9" * 5000 + "_1"}}),
        "patch index": (
            "PATCH",
            one,
            {
                "content": json.dumps(
                    [
                        {"op": "add", "path": "/tags/x", "value": ["a"]},
                        {"op": "add", "path": "/tags/x/99999999999999999999999", "value": "b"},
                    ]
                ),
                "headers": PATCH,
            },
        ),  # fmt: skip
        "patch copy bomb": ("PATCH", one, {"content": json.dumps(copies), "headers": PATCH}),
        "patch many ops": (
            "PATCH",
            one,
            {
                "content": json.dumps([{"op": "test", "path": "/name", "value": "a"}] * 5000),
                "headers": PATCH,
            },
        ),  # fmt: skip
    }


@pytest.mark.parametrize("case", sorted(_cases("x")))
async def test_each_malformed_request_is_a_4xx_in_bounded_time_and_memory(
    api: Api, case: str
) -> None:
    dataset = await api.create_dataset("a")
    method, path, kw = _cases(dataset)[case]
    tracemalloc.start()
    started = time.perf_counter()
    answer = await api.call(method, path, **kw)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    assert elapsed < 10 and peak < 64 * 1024 * 1024, (elapsed, peak)


async def test_a_sandbox_name_cannot_reach_into_another_tenant(api: Api) -> None:
    """Tenants are keyed "{org}/{sandbox}": a "/" in a sandbox name is never a tenant."""
    answer = await api.call("GET", DATASETS, sandbox="prod/../prod")
    assert answer.status_code == 403 and "403027" in answer.text


@pytest.mark.parametrize("org", ["a/b@AdobeOrg", " "])
def test_org_ids_and_sandboxes_that_would_confuse_tenant_keys_are_refused(org: str) -> None:
    with pytest.raises(ValueError, match="no '/'"):
        EmulatorConfig(credentials=(Credential(org_id=org),))
    with pytest.raises(ValueError, match="no '/'"):
        EmulatorConfig(sandboxes=("dev/x",))
