"""The typed calls under synthetic answers (httpx.MockTransport): headers, bodies, paging."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

import httpx
import pytest

from aep_reconciler.diagnostics import ApiError, ConfigError, TransportError
from aep_reconciler.remote import AepClient, Connection

from .fakes import CONN, SECRET, Handler, Script, body_of, client, run, using

OK_LIST = httpx.Response(200, json={})
DATASET = {"abc": {"name": "a", "version": "1.0.0"}}


def test_every_call_carries_the_platform_headers() -> None:
    script = Script(api=[OK_LIST])
    run(using(client(script), lambda c: c.list_datasets()))
    token_req, list_req = script.seen
    form = parse_qs(token_req.content.decode())
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["client-id"],
        "client_secret": [SECRET],
        "scope": [CONN.scopes],
    }
    assert token_req.url == "https://ims.example.test/ims/token/v3"
    assert token_req.headers["content-type"] == "application/x-www-form-urlencoded"
    assert list_req.headers["authorization"] == "Bearer tok-1"
    assert list_req.headers["x-api-key"] == "client-id"
    assert list_req.headers["x-gw-ims-org-id"] == "ORG@AdobeOrg"
    assert list_req.headers["x-sandbox-name"] == "dev"
    assert "content-type" not in list_req.headers
    assert list_req.url.host == "platform.example.test"


def test_writes_send_json_and_json_patch_with_if_match() -> None:
    ref = httpx.Response(200, json=["@/dataSets/abc"])
    script = Script(api=[httpx.Response(201, json=["@/dataSets/abc"]), ref, ref])

    async def calls(c: AepClient) -> str:
        new_id = await c.create_dataset({"name": "a", "schemaRef": {"id": "s"}})
        await c.patch_dataset("abc", {"description": "d"}, if_match='"3"')
        await c.json_patch_dataset("abc", [{"op": "add", "path": "/name", "value": "b"}])
        return new_id

    assert run(using(client(script), calls)) == "abc"
    post, patch, json_patch = script.api_requests()
    assert post.headers["content-type"] == "application/json"
    assert body_of(post) == {"name": "a", "schemaRef": {"id": "s"}}
    assert patch.headers["content-type"] == "application/json"
    assert patch.headers["if-match"] == '"3"'
    assert json_patch.headers["content-type"] == "application/json-patch+json"
    assert "if-match" not in json_patch.headers
    assert body_of(json_patch) == [{"op": "add", "path": "/name", "value": "b"}]


def test_created_id_falls_back_to_location() -> None:
    answer = httpx.Response(201, json=[], headers={"Location": "/catalog/dataSets/xyz"})
    script = Script(api=[answer, httpx.Response(201, json={"odd": 1})])

    async def calls(c: AepClient) -> str:
        first = await c.create_dataset({"name": "a"})
        with pytest.raises(TransportError, match="no dataset id"):
            await c.create_dataset({"name": "b"})
        return first

    assert run(using(client(script), calls)) == "xyz"


def test_get_dataset_returns_the_object_and_its_etag() -> None:
    answer = httpx.Response(200, json=DATASET, headers={"E-Tag": '"7"'})
    script = Script(api=[answer])
    dataset, etag = run(using(client(script), lambda c: c.get_dataset("abc")))
    assert dataset == DATASET["abc"] and etag == '"7"'


def test_ids_stay_inside_their_collection() -> None:
    script = Script(api=[httpx.Response(200, json={"../x": {}})])
    run(using(client(script), lambda c: c.get_dataset("../x")))
    assert script.api_requests()[0].url.raw_path.endswith(b"/dataSets/..%2Fx")


def test_cancel_accepts_200_and_204() -> None:
    spec = httpx.Response(200, json={"status": True, "message": "marked for cancelling"})
    script = Script(api=[spec, httpx.Response(204)])

    async def calls(c: AepClient) -> None:
        await c.cancel_export_job(5)
        await c.cancel_export_job("6")

    run(using(client(script), calls))
    assert [r.method for r in script.api_requests()] == ["DELETE", "DELETE"]
    assert script.api_requests()[1].url.path.endswith("/export/jobs/6")


def test_jobs_are_normalised_whichever_spelling() -> None:
    job = {"id": 7, "status": "NEW", "destination": {"dataSetId": "d1"}}
    script = Script(api=[httpx.Response(200, json=job), httpx.Response(200, json=job)])

    async def calls(c: AepClient) -> list[dict[str, object]]:
        return [await c.create_export_job({}), await c.get_export_job(7)]

    for got in run(using(client(script), calls)):
        assert got["destination"] == {"datasetId": "d1"}


def test_job_paging_follows_the_cursor_and_drops_duplicates() -> None:
    def page(ids: list[int], nxt: str) -> httpx.Response:
        records = [{"id": i, "destination": {"datasetId": "d"}} for i in ids]
        return httpx.Response(200, json={"records": records, "link": {"next": nxt}})

    script = Script(
        api=[
            page([9, 8], "/export/jobs/?limit=2&offset=c1"),
            page([8, 7], "/export/jobs/?limit=2&offset=c2"),  # 8 again: a job moved
            page([6], ""),
        ]
    )
    jobs = run(using(client(script), lambda c: c.list_export_jobs(page_size=2, status="NEW")))
    assert [j["id"] for j in jobs] == [9, 8, 7, 6]
    queries = [dict(r.url.params) for r in script.api_requests()]
    assert queries == [
        {"limit": "2", "status": "NEW"},
        {"limit": "2", "status": "NEW", "offset": "c1"},
        {"limit": "2", "status": "NEW", "offset": "c2"},
    ]


def test_a_repeating_cursor_is_an_error_not_a_loop() -> None:
    same = {"records": [{"id": 1}], "link": {"next": "/export/jobs/?offset=c1"}}
    script = Script(api=[httpx.Response(200, json=same)] * 2)
    with pytest.raises(TransportError, match="repeats"):
        run(using(client(script), lambda c: c.list_export_jobs()))


def _catalog(total: int, cap: int) -> tuple[list[httpx.Request], Handler]:
    """A Catalog that holds ``total`` datasets and answers at most ``cap`` per page."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/ims/token/v3":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        seen.append(request)
        start, limit = int(request.url.params["start"]), int(request.url.params["limit"])
        ids = range(start, min(start + min(limit, cap), total))
        return httpx.Response(200, json={f"id{i}": {"n": i} for i in ids})

    return seen, handler


def test_dataset_paging_reads_until_an_empty_page() -> None:
    seen, handler = _catalog(5, cap=100)
    c = client(handler)
    found = run(using(c, lambda c: c.list_datasets(page_size=2, tags={"owner": "me"})))
    assert sorted(found) == [f"id{i}" for i in range(5)]
    assert [r.url.params["start"] for r in seen] == ["0", "2", "4", "5"]  # 2, 2, 1, then 0


@pytest.mark.parametrize("total", [19, 20, 50])
def test_a_short_page_is_not_the_end_of_the_list(total: int) -> None:
    """Catalog caps pages at 20 with observableSchema (aep-api.md A.3) whatever the limit."""
    seen, handler = _catalog(total, cap=20)
    found = run(using(client(handler), lambda c: c.list_datasets()))
    assert sorted(found, key=lambda i: int(i[2:])) == [f"id{i}" for i in range(total)]
    assert len(seen) == -(-total // 20) + 1  # the pages the platform fills, then the empty one
    assert {r.url.params["limit"] for r in seen} == {"100"}


def test_a_platform_that_ignores_start_is_an_error_not_a_loop() -> None:
    page = httpx.Response(200, json={"a": {"n": 1}})
    script = Script(api=[page, page])
    with pytest.raises(TransportError, match="repeats a page"):
        run(using(client(script), lambda c: c.list_datasets()))


@pytest.mark.parametrize(
    "ref", ["@/dataSets/5b020a27e7040801dedba61b", "@/datasets/5b020a27e7040801dedba61b"]
)
def test_the_created_id_is_read_whatever_the_collection_case(ref: str) -> None:
    """The Catalog docs answer ``@/dataSets/{ID}``, Adobe's export guide ``@/datasets/{ID}``."""
    script = Script(api=[httpx.Response(201, json=[ref])])
    new_id = run(using(client(script), lambda c: c.create_dataset({"name": "a"})))
    assert new_id == "5b020a27e7040801dedba61b"


def test_a_non_json_success_is_a_transport_error() -> None:
    script = Script(api=[httpx.Response(200, text="<html>")])
    with pytest.raises(TransportError, match="unexpected answer"):
        run(using(client(script), lambda c: c.list_datasets()))


def test_plain_http_to_a_remote_host_is_refused() -> None:
    remote = Connection("http://platform.adobe.io", "https://ims.test", "o", "c", SECRET)
    with pytest.raises(ConfigError, match="plain http"):
        AepClient(remote)
    insecure_ims = Connection("https://platform.adobe.io", "http://ims.test", "o", "c", SECRET)
    with pytest.raises(ConfigError, match="AEP_IMS_URL"):
        AepClient(insecure_ims)


def test_plain_http_to_loopback_is_allowed() -> None:
    local = Connection("http://127.0.0.1:8080", "http://localhost:8080", "o", "c", SECRET)
    run(AepClient(local).aclose())


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda c: c.list_batch_files("b1"), "/data/foundation/export/batches/b1/files"),
        (lambda c: c.list_file_parts("f1"), "/data/foundation/export/files/f1"),
    ],
)
def test_a_data_access_listing_that_ignores_start_is_an_error_not_a_loop(
    call: Callable[[AepClient], Awaitable[object]], path: str
) -> None:
    full = httpx.Response(200, json={"data": [{"name": f"part-{i}"} for i in range(100)]})
    script = Script(api=[full, full, full])
    with pytest.raises(TransportError, match="start=100 repeats a page"):
        run(using(client(script), call))
    assert [r.url.path for r in script.api_requests()] == [path, path]


@pytest.mark.parametrize(
    ("call", "key", "next_link"),
    [
        (
            lambda c: c.list_segment_definitions(),
            "segments",
            lambda q: {"link": {"next": f"/segment/definitions?{q}"}},
        ),
        (
            lambda c: c.list_merge_policies(),
            "children",
            lambda q: {"_links": {"next": {"href": f"/config/mergePolicies?{q}"}}},
        ),
    ],
)
def test_a_profile_listing_whose_next_link_repeats_or_never_ends_is_an_error(
    call: Callable[[AepClient], Awaitable[object]],
    key: str,
    next_link: Callable[[str], dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    same = httpx.Response(200, json={key: [{"id": "a"}], **next_link("start=1&limit=100")})
    with pytest.raises(TransportError, match="the next link repeats"):
        run(using(client(Script(api=[same, same, same])), call))

    monkeypatch.setattr("aep_reconciler.remote._profiles.MAX_PAGES", 3)
    pages = [
        httpx.Response(200, json={key: [{"id": str(i)}], **next_link(f"start={i + 1}")})
        for i in range(4)
    ]
    script = Script(api=list(pages))
    with pytest.raises(TransportError, match="more than 3 pages"):
        run(using(client(script), call))
    assert len(script.api_requests()) == 3


def test_the_dataset_preview_is_one_call_whose_rows_come_back_as_sent() -> None:
    rows = [{"personalEmail": {"address": "a@example.test"}}, {"personalEmail": None}]
    script = Script(api=[httpx.Response(200, json={"data": rows})])
    assert run(using(client(script), lambda c: c.preview_dataset("d/1"))) == rows
    [request] = script.api_requests()
    assert request.url.raw_path == b"/data/foundation/export/datasets/d%2F1/preview"


def test_a_failed_preview_names_the_call_the_status_and_aeps_body() -> None:
    body = {"title": "Forbidden", "status": 403, "detail": "no access to dataset d1"}
    script = Script(api=[httpx.Response(403, json=body)])
    with pytest.raises(ApiError) as info:
        run(using(client(script), lambda c: c.preview_dataset("d1")))
    assert info.value.status == 403 and info.value.body == body
    assert str(info.value).startswith("GET /data/foundation/export/datasets/d1/preview failed")
    shapeless = Script(api=[httpx.Response(200, json={"rows": []})])
    with pytest.raises(TransportError, match="expected 'data' to be a list of objects"):
        run(using(client(shapeless), lambda c: c.preview_dataset("d1")))
