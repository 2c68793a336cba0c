"""Apply events as a person reads them: each step, the summaries, apply --wait's job report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from aep_reconciler.events import ApplyResult, Event, Outcome
from aep_reconciler.plan import Action, Change
from aep_reconciler.render import events
from aep_reconciler.resources import ResourceKey
from tests import golden

GOLDEN = Path(__file__).parent / "golden"


def _change(kind: str, name: str, action: Action, blocked: str = "") -> Change:
    return Change(ResourceKey(kind, name), action, reason="test", blocked=blocked)


CREATED = Event(Outcome.SUCCEEDED, _change("Dataset", "profiles", Action.CREATE), id="ds-1")
JOB = Event(Outcome.SUCCEEDED, _change("ExportJob", "vip", Action.CREATE), id="job-1")
LATE = Event(Outcome.SUCCEEDED, _change("ExportJob", "slow", Action.CREATE), id="job-2")
FAILED = Event(Outcome.FAILED, _change("Dataset", "broken", Action.UPDATE), "HTTP 400: bad tag")
SKIPPED = Event(Outcome.SKIPPED, _change("ExportJob", "after-broken", Action.CREATE), "skipped")
BLOCKED = _change("Dataset", "kept", Action.DELETE, blocked="needs --allow-destroy")
RESULT = ApplyResult(
    events=[Event(Outcome.STARTED, CREATED.change), CREATED, JOB, LATE, FAILED, SKIPPED],
    created_jobs=["job-1", "job-2"],
)


def test_an_apply_reads_as_its_golden_file(capsys: pytest.CaptureFixture[str]) -> None:
    for event in RESULT.events:
        events.print_event(event)
    events.print_lines(events.apply_summary(RESULT, [BLOCKED]))
    finals = {"job-1": "SUCCEEDED", "job-2": "TIMEOUT"}
    counts = {"job-1": (12, {"email": 12})}
    events.print_lines(events.wait_report(RESULT, finals, counts, 90.0))
    events.print_lines(events.destroy_summary(RESULT))
    events.print_lines(events.nothing_done("Nothing to apply: 1 blocked change(s).", [BLOCKED]))
    out = capsys.readouterr()
    assert out.err == ""
    golden.check_golden(GOLDEN, "apply-events.txt", out.out)


def test_a_failed_step_is_annotated_under_github_actions_only_when_asked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    events.print_event(FAILED)
    assert capsys.readouterr().err == ""
    events.print_event(FAILED, annotate="reconciler apply")
    err = capsys.readouterr().err
    assert err.startswith("::error title=reconciler apply::update Dataset/broken failed")


def test_an_adoption_the_dataset_moved_under_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    show = events.adoption_printer("import")
    adopt = _change("Dataset", "profiles", Action.ADOPT)
    show(Event(Outcome.STARTED, adopt))
    show(Event(Outcome.FAILED, adopt, "HTTP 412: precondition failed", id="ds-1"))
    show(Event(Outcome.FAILED, adopt, "HTTP 500: oops", id="ds-1"))
    assert capsys.readouterr().out.splitlines() == [
        "  ✗ adopt Dataset/profiles (ds-1): the dataset changed since it was read; nothing "
        "adopted, run import again",
        "  ✗ adopt Dataset/profiles (ds-1): HTTP 500: oops",
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        (io.StringIO(), "export jobs: 2 processing\nexport jobs: 1 processing, 1 succeeded\n"),
        (
            _Terminal(),
            "\r\033[Kexport jobs: 2 processing\r\033[Kexport jobs: 1 processing, 1 succeeded\n",
        ),
    ],
)
def test_job_progress_is_redrawn_on_a_terminal_and_listed_in_a_log(
    stream: io.StringIO, expected: str
) -> None:
    progress = events.Progress(stream)
    progress({"a": "PROCESSING", "b": "PROCESSING"})
    progress({"a": "PROCESSING", "b": "SUCCEEDED"})
    progress.end()
    assert stream.getvalue() == expected
