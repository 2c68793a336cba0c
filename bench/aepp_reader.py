"""``python -m bench.aepp_reader URL SANDBOX STACK``: aepp reads the same two collections.

Run as a child so its CPU and memory are its own. aepp is pointed at the embedded platform
by overriding its endpoints after ``configure`` (aep-api.md A.6); the secret comes from
``AEP_CLIENT_SECRET``. Prints one line: ``aepp read D datasets and J export jobs``.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys


def main(url: str, sandbox: str, stack: str) -> int:
    import aepp
    from aepp import catalog, segmentation

    aepp.configure(
        org_id=os.environ["AEP_ORG_ID"],
        client_id=os.environ["AEP_CLIENT_ID"],
        secret=os.environ["AEP_CLIENT_SECRET"],
        scopes="openid,AdobeID",
        sandbox=sandbox,
        environment="support",
        endpoint=url,
    )
    aepp.config.config_object["imsEndpoint"] = url
    aepp.config.config_object["oauthTokenEndpointV2"] = f"{url}/ims/token/v3"
    noise = io.StringIO()  # aepp prints warnings (e.g. datasets without a PQS table tag)
    with contextlib.redirect_stdout(noise):
        datasets = catalog.Catalog().getDataSets(limit=100, tags=f"reconciler-stack:{stack}")
        jobs = segmentation.Segmentation().getExportJobs(limit=100)
    print(f"aepp read {len(datasets)} datasets and {len(jobs)} export jobs", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:4]))
