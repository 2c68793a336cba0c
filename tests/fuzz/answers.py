"""Strategies of platform answers: right shapes with wrong types, garbage, huge bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

STACK = "marketing-exports"
NAMES = ("profile-export", "all-profiles", "vip-emails")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
anything = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
tag_values = st.one_of(anything, st.lists(st.one_of(st.sampled_from([STACK, *NAMES]), anything)))
tags = st.one_of(
    anything,
    st.fixed_dictionaries(
        {"reconciler-stack": st.one_of(st.just([STACK]), tag_values)},
        optional={
            "reconciler-name": st.one_of(st.sampled_from([[n] for n in NAMES]), tag_values),
            "reconciler-spec": tag_values,
            "reconciler-jobs": tag_values,
            "team": tag_values,
        },
    ),
)
dataset = st.fixed_dictionaries(
    {},
    optional={
        "name": anything,
        "description": anything,
        "tags": tags,
        "schemaRef": anything,
        "fileDescription": anything,
        "version": anything,
        "created": anything,
        "updated": anything,
    },
)
dataset_ids = st.one_of(st.text(min_size=1, max_size=24), st.sampled_from(["a" * 24, "b" * 24]))
catalog_body = st.one_of(st.dictionaries(dataset_ids, st.one_of(dataset, anything), max_size=4))
destination = st.one_of(
    anything,
    st.fixed_dictionaries(
        {}, optional={"datasetId": st.one_of(dataset_ids, anything), "dataSetId": anything}
    ),
)
job = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.integers(), st.text(max_size=6), anything),
        "status": st.one_of(
            st.sampled_from(["NEW", "PROCESSING", "SUCCEEDED", "FAILED"]), anything
        ),
        "destination": destination,
        "creationTime": anything,
        "errors": anything,
        "filter": anything,
        "schema": anything,
        "mergePolicy": anything,
        "fields": anything,
    },
)
jobs_body = st.fixed_dictionaries(
    {"records": st.one_of(st.lists(job, max_size=4), anything)},
    optional={
        "page": anything,
        "link": st.one_of(anything, st.fixed_dictionaries({"next": anything})),
    },
)
json_body = st.one_of(anything, catalog_body, jobs_body, job, st.lists(anything, max_size=3))


def _encode(value: Any) -> bytes:
    return json.dumps(value).encode()


body_bytes = st.one_of(
    json_body.map(_encode),
    st.binary(max_size=64),  # garbage, often not UTF-8
    json_body.map(lambda v: _encode(v)[:-1]),  # truncated JSON
    st.sampled_from([10, 100_000, 1_100_000]).map(lambda n: b'{"x": "' + b"y" * n + b'"}'),  # huge
    st.integers(60, 100_000).map(lambda n: b"[" * n + b"]" * (n % 2 * n)),  # deep nesting
    st.just(b""),
)
statuses = st.one_of(
    st.sampled_from([200, 200, 200, 201, 204, 400, 401, 403, 404, 409, 412, 429, 500, 502, 503]),
    st.integers(100, 599),
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "Retry-After": st.one_of(st.text(max_size=30), st.integers(-5, 10**9).map(str)),
        "Location": st.text(max_size=40),
        "E-Tag": st.text(max_size=10),
        "Content-Type": st.sampled_from(["application/json", "text/html", "application/xml"]),
    },
)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


replies = st.builds(Reply, statuses, body_bytes, headers)


# Answers that reach deep: datasets the stack owns and jobs into them, other fields anything.
OWNED_IDS = ("a" * 24, "b" * 24)
owned_dataset = st.fixed_dictionaries(
    {
        "tags": st.fixed_dictionaries(
            {
                "reconciler-stack": st.just([STACK]),
                "reconciler-name": st.sampled_from([[NAMES[0]]]),
            },
            optional={"reconciler-spec": tag_values, "reconciler-jobs": tag_values},
        )
    },
    optional={k: anything for k in ("name", "schemaRef", "fileDescription", "created", "version")},
)
owned_catalog = st.dictionaries(st.sampled_from(OWNED_IDS), owned_dataset, min_size=1)
owned_job = st.fixed_dictionaries(
    {
        "id": st.one_of(st.integers(0, 9), anything),
        "destination": st.fixed_dictionaries(
            {"datasetId": st.sampled_from(OWNED_IDS)}, optional={"segmentPerBatch": anything}
        ),
    },
    optional={
        k: anything
        for k in ("status", "creationTime", "errors", "filter", "fields", "mergePolicy", "schema")
    },
)
owned_jobs = st.fixed_dictionaries({"records": st.lists(owned_job, max_size=4)})
