"""aepp, unchanged, against `reconciler emulator serve`: the emulator answers what it calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aep_reconciler.emulator import COMPATIBLE, Variants
from aep_reconciler.wire import PROFILE_UNION_SCHEMA
from tests.emulator.emu_support import CLIENT_ID, ORG, SECRET, served

aepp = pytest.importorskip("aepp")

pytestmark = pytest.mark.e2e


@pytest.fixture(params=[Variants(), COMPATIBLE], ids=["defaults", "compatible"])
def variants(request: pytest.FixtureRequest) -> Variants:
    """The defaults (the Adobe-closest values) and the answers the platform gave before."""
    chosen: Variants = request.param
    return chosen


@pytest.fixture
def aepp_url(tmp_path: Path, variants: Variants) -> Iterator[str]:
    flags = [a for item in variants.items() for a in ("--variant", item)]
    with served(tmp_path / "aepp.db", "--max-page-size", "3", *flags) as (url, _):
        yield _configure(url)


def _configure(url: str) -> str:
    aepp.configure(
        org_id=ORG,
        tech_id="tech@techacct.adobe.com",
        secret=SECRET,
        client_id=CLIENT_ID,
        scopes="openid,AdobeID,read_organizations",
        sandbox="prod",
    )
    # A.6: point aepp at the embedded platform after configure().
    aepp.config.endpoints["global"] = url
    aepp.config.config_object["oauthTokenEndpointV2"] = f"{url}/ims/token/v3"
    return url


def test_catalog_create_list_get_delete(aepp_url: str) -> None:
    from aepp import catalog

    cat = catalog.Catalog()
    created = cat.createDataSet(
        name="aepp-made", schemaId=PROFILE_UNION_SCHEMA, profileEnabled=True
    )
    (ref,) = created
    ds = ref.rsplit("/", 1)[1]  # "@/dataSets/{ID}" or, as in the guide, "@/datasets/{ID}"
    one = cat.getDataSet(ds)
    assert one[ds]["name"] == "aepp-made"
    assert one[ds]["tags"] == {"unifiedProfile": ["enabled:true"]}
    listed: dict[str, Any] = cat.getDataSets()
    assert ds in listed
    infos = cat.getDatasetsInfos(caching=[{"id": ds, **listed[ds]}])
    assert list(infos["dataBehavior"]) == ["record"]
    assert cat.deleteDataSet(ds) is not None
    assert ds not in cat.getDataSets()


def test_segmentation_export_jobs(aepp_url: str, variants: Variants) -> None:
    from aepp import catalog, segmentation

    cat = catalog.Catalog()
    (ref,) = cat.createDataSet(name="dest", schemaId=PROFILE_UNION_SCHEMA)
    ds = ref.rsplit("/", 1)[1]
    seg = segmentation.Segmentation()
    request = {
        "filter": {"segments": [{"segmentId": "seg-1"}]},
        "destination": {"datasetId": ds},
        "schema": {"name": "_xdm.context.profile"},
    }
    created = [seg.createExport(request) for _ in range(7)]
    assert all(job["destination"]["dataSetId"] == ds for job in created)
    first = seg.getExport(created[0]["id"])
    assert first["id"] == created[0]["id"]
    assert first["status"] in ("NEW", "PROCESSING")  # on a busy machine it may have started
    everything = seg.getExportJobs()  # pages of 3 by reading offset out of link.next
    assert [job["id"] for job in everything] == sorted((j["id"] for j in created), reverse=True)
    status = seg.deleteExport(created[0]["id"])
    assert status == 204
    if variants.cancel == "vanish":
        assert len(seg.getExportJobs()) == 6
        assert seg.getExport(created[0]["id"])["status"] == 404
    else:  # listed "marked for cancelling" for a while
        assert len(seg.getExportJobs()) == 7
        assert seg.getExport(created[0]["id"])["status"] in ("NEW", "PROCESSING")


@pytest.fixture
def aepp_quick(tmp_path: Path) -> Iterator[str]:
    """Like aepp_url, with export jobs that are due at once."""
    extra = ("--job-start-after", "0", "--job-run-for", "0")
    with served(tmp_path / "aepp.db", *extra) as (url, _):
        yield _configure(url)


def test_data_access_reads_the_batches_of_a_finished_job(aepp_quick: str) -> None:
    """The guide's whole run under the defaults: create the dataset (the answer is
    ``["@/datasets/{ID}"]``, as in the guide), the job, watch it, read its batch."""
    import time

    import pyarrow.parquet as pq
    from aepp import catalog, dataaccess, segmentation

    cat = catalog.Catalog()
    (ref,) = cat.createDataSet(name="dest", schemaId=PROFILE_UNION_SCHEMA, profileEnabled=True)
    assert ref.startswith("@/datasets/")
    seg = segmentation.Segmentation()
    job = seg.createExport(
        {
            "fields": "identities.id,personalEmail.address",
            "destination": {"datasetId": ref.removeprefix("@/datasets/")},
            "schema": {"name": "_xdm.context.profile"},
        }
    )
    deadline = time.monotonic() + 60
    while (job := seg.getExport(job["id"]))["status"] not in ("SUCCEEDED", "FAILED"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert job["status"] == "SUCCEEDED"
    access = dataaccess.DataAccess()
    files = access.getBatchFiles(job["destination"]["batchId"])
    [entry] = files
    listing = access.getFiles(entry["dataSetFileId"])
    parts = listing["data"]
    assert parts and all(p["name"].endswith(".parquet") for p in parts)
    rows = 0
    for part in parts:
        data = access.getFiles(entry["dataSetFileId"], path=part["name"])
        table = pq.read_table(data)
        assert table.column_names == ["identities", "personalEmail"]
        rows += table.num_rows
    assert rows == job["metrics"]["totalExportedProfileCounter"] > 0
