"""Whatever the platform answers, the client, live state and the planner fail only as ApiError.

An httpx.MockTransport plays a platform that answers each call from a generated script:
malformed or truncated JSON, lists where objects belong, numbers as ids, missing fields,
huge or deeply nested bodies, and every status from 100 to 599.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aep_reconciler.diagnostics import ApiError, ReconcilerError
from aep_reconciler.live import observe
from aep_reconciler.manifests.project import load_project
from aep_reconciler.manifests.tree import load_manifests
from aep_reconciler.plan import PlanOptions
from aep_reconciler.planner import make_plan
from aep_reconciler.remote import AepClient, Connection, RetryPolicy
from aep_reconciler.resources import ManifestSet
from tests.fuzz.answers import STACK, Reply, owned_catalog, owned_jobs, replies

SPECS = Path(__file__).resolve().parents[2] / "specs"
SECRET = "fuzz-client-secret"
CONN = Connection("https://platform.test", "https://ims.test", "o@AdobeOrg", "cid", SECRET)
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TOKEN = httpx.Response(200, json={"access_token": "tok-fuzz", "expires_in": 3600})
END = httpx.Response(200, json={"records": [], "link": {"next": ""}})


def _manifests() -> ManifestSet:
    project = load_project(SPECS)
    return load_manifests(SPECS, project, "local")


MANIFESTS = _manifests()


def response(reply: Reply) -> httpx.Response:
    raw = {k.encode("utf-8"): v.encode("utf-8") for k, v in reply.headers.items()}  # any bytes
    return httpx.Response(reply.status, content=reply.body, headers=raw)


class Script:
    """Answers calls in order from ``replies``; then a valid empty answer (paging ends)."""

    def __init__(self, replies: list[Reply], token: Reply | None = None) -> None:
        self.replies = list(replies)
        self.token = token

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/ims/"):
            if self.token is not None:
                reply, self.token = self.token, None
                return response(reply)
            return TOKEN
        if not self.replies:
            return END if request.method == "GET" else httpx.Response(200, json=["@/dataSets/x"])
        reply = self.replies.pop(0)
        if 100 <= reply.status < 200:  # an interim answer the server never finished
            raise httpx.RemoteProtocolError("interim answer only")
        return response(reply)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


async def _no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


def client_for(script: Script) -> AepClient:
    return AepClient(
        CONN,
        transport=httpx.MockTransport(script),
        retry=RetryPolicy(max_attempts=3),
        sleep=_no_wait,
    )


CALLS: list[Callable[[AepClient], Awaitable[Any]]] = [
    lambda c: c.list_datasets(tags={"reconciler-stack": STACK}),
    lambda c: c.get_dataset("a" * 24),
    lambda c: c.create_dataset({"name": "x"}),
    lambda c: c.patch_dataset("a" * 24, {"name": "y"}, if_match='"1.0.0"'),
    lambda c: c.json_patch_dataset("a" * 24, [{"op": "add", "path": "/tags/t", "value": []}]),
    lambda c: c.delete_dataset("a" * 24),
    lambda c: c.list_export_jobs(),
    lambda c: c.create_export_job({"destination": {"datasetId": "a" * 24}}),
    lambda c: c.get_export_job(7),
    lambda c: c.cancel_export_job(7),
]


def run_calls(script: Script) -> list[str]:
    """Every typed call once; the secret and token must not be in what they raised."""

    async def scenario() -> list[str]:
        raised: list[str] = []
        async with client_for(script) as client:
            for call in CALLS:
                try:
                    await call(client)
                except ApiError as exc:
                    raised.append(str(exc))
        return raised

    return asyncio.run(scenario())


@FUZZ
@given(st.lists(replies, max_size=12), st.one_of(st.none(), replies))
def test_client_calls_return_or_raise_api_errors(script: list[Reply], token: Reply | None) -> None:
    for text in run_calls(Script(script, token)):
        assert SECRET not in text and "tok-fuzz" not in text


def observe_and_plan(script: Script) -> bool:
    """True when a plan came out, False when a ReconcilerError did; anything else escapes."""

    async def scenario() -> bool:
        async with client_for(script) as client:
            try:
                live = await observe(client, STACK)
                plan = make_plan(MANIFESTS, live, stack=STACK, target="fuzz", options=PlanOptions())
            except ReconcilerError:
                return False
            plan.to_json()
            return True

    return asyncio.run(scenario())


@FUZZ
@given(st.lists(replies, max_size=8))
def test_observe_and_plan_work_or_raise_reconciler_errors(script: list[Reply]) -> None:
    observe_and_plan(Script(script))


def listing(catalog: bytes, jobs: bytes) -> Script:
    """A catalog page (then the empty page that ends the list, unless it is empty) and jobs."""
    end = [Reply(200, b"{}")] if json.loads(catalog) else []
    return Script([Reply(200, catalog), *end, Reply(200, jobs)])


@FUZZ
@given(owned_catalog.map(_json), owned_jobs.map(_json))
def test_owned_objects_with_wrong_field_types_plan_or_raise(catalog: bytes, jobs: bytes) -> None:
    observe_and_plan(listing(catalog, jobs))


def test_wrong_types_where_the_core_computes_are_unusable_answers() -> None:
    owned = {"reconciler-stack": [STACK], "reconciler-name": ["profile-export"]}
    fine: dict[str, Any] = {"records": []}
    into = {"destination": {"datasetId": "a" * 24}}  # a job in scope: the plan computes with it
    for catalog, jobs in [
        ({"a" * 24: {"tags": owned, "created": "yesterday"}, "b" * 24: {"tags": owned}}, fine),
        ({"a" * 24: {"tags": owned}}, {"records": [{"id": 1, "creationTime": "soon", **into}]}),
        ({}, {"records": [{"id": [1], "destination": {"datasetId": "a" * 24}}]}),
        ({"a" * 24: {"tags": owned}}, {"records": [{"id": 1, "errors": 5, **into}]}),
    ]:
        assert observe_and_plan(listing(_json(catalog), _json(jobs))) is False
    huge = b'{"records": [{"id": 1, "creationTime": 1e400}]}'
    assert observe_and_plan(Script([Reply(200, b"{}"), Reply(200, huge)])) is False
    nan = b'{"records": [{"id": 1, "creationTime": NaN}]}'
    assert observe_and_plan(Script([Reply(200, b"{}"), Reply(200, nan)])) is False
    deep = b"[" * 100_000  # json.loads would raise RecursionError
    assert observe_and_plan(Script([Reply(200, deep)])) is False
    ok = {"a" * 24: {"tags": owned, "created": 5}}
    assert observe_and_plan(listing(_json(ok), _json(fine))) is True


def test_wrong_types_in_jobs_outside_the_stack_are_never_looked_at() -> None:
    """Jobs into datasets the stack does not own are only paged past, not computed with."""
    owned = {"reconciler-stack": [STACK], "reconciler-name": ["profile-export"]}
    elsewhere = {"destination": {"datasetId": "f" * 24}}
    jobs = {"records": [{"id": 1, "creationTime": "soon", "errors": 5, **elsewhere}]}
    catalog = {"a" * 24: {"tags": owned}}
    assert observe_and_plan(listing(_json(catalog), _json(jobs))) is True


def test_the_script_reaches_the_calls() -> None:
    """The fuzzed answers arrive where intended: a 404 script makes every call fail."""
    not_found = Reply(404, b'{"error_code": "404000", "message": "Not Found"}')
    raised = run_calls(Script([not_found] * len(CALLS)))
    assert len(raised) == len(CALLS) and all("HTTP 404" in r for r in raised)
