"""A generated manifest tree: N datasets, each the destination of M distinct export jobs."""

from __future__ import annotations

from pathlib import Path

STACK = "chaos"
# The default merge policy every sandbox of the embedded platform has.
MERGE_POLICY = "00000000-0000-4000-8000-000000000001"


def dataset_name(i: int) -> str:
    return f"ds-{i:03d}"


def job_name(i: int, j: int) -> str:
    return f"job-{i:03d}-{j}"


# Audiences every sandbox of the embedded platform starts with; jobs name them.
AUDIENCES = ("VIP customers", "Lapsed customers", "Newsletter subscribers", "Cart abandoners")


def audience(j: int) -> str:
    return AUDIENCES[j % len(AUDIENCES)]


def _dataset(i: int) -> str:
    return f"""apiVersion: reconciler/v1
kind: Dataset
metadata:
  name: {dataset_name(i)}
spec:
  name: Chaos export {i}
  description: Destination {i} of the chaos suite
  schemaRef:
    id: https://ns.adobe.com/xdm/context/profile__union
    contentType: application/vnd.adobe.xed+json;version=1
  fileDescription: {{persisted: true, containerFormat: parquet, format: parquet}}
  tags:
    team: [chaos]
"""


def _job(i: int, j: int) -> str:
    return f"""apiVersion: reconciler/v1
kind: ExportJob
metadata:
  name: {job_name(i, j)}
spec:
  fields: identities.id,person.name
  mergePolicy: {{id: {MERGE_POLICY}}}
  filter:
    segments:
      - segmentName: {audience(j)}
        status: [realized]
  destination:
    dataset: {dataset_name(i)}
  schema:
    name: _xdm.context.profile
"""


def write_tree(root: Path, datasets: int, jobs_per_dataset: int) -> Path:
    """Write ``root/specs`` (one file per dataset with its jobs) and return it."""
    specs = root / "specs"
    specs.mkdir(parents=True)
    (specs / "reconciler.yaml").write_text(f"stack: {STACK}\n")
    for i in range(datasets):
        docs = [_dataset(i), *(_job(i, j) for j in range(jobs_per_dataset))]
        (specs / f"{dataset_name(i)}.yaml").write_text("---\n".join(docs))
    return specs
