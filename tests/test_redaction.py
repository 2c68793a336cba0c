"""Every spelling of a secret or token a server could echo is redacted, and nothing else is."""

from __future__ import annotations

import io
import json

import pytest

from aep_reconciler.redaction import REDACTED, RedactingStream, Redactor
from tests.echoes import echoes, leaked

SECRET = "p8e-Zq/4+Hv_7xY2w0KmN9cR3tLbA1sD"  # shaped like an Adobe client secret
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJpZCI6IjE3MDAwMDAwMDAifQ.c2lnbmF0dXJl-_x"
ODD = 'ümlaut "quoted" \\ back/slash€'  # characters every escape treats differently


@pytest.mark.parametrize("secret", [SECRET, TOKEN, ODD], ids=["secret", "token", "odd"])
@pytest.mark.parametrize("label", sorted(echoes(SECRET)))
def test_every_echoed_spelling_is_redacted(secret: str, label: str) -> None:
    spelled = echoes(secret, "my-client")[label]
    text = f'{{"error": "bad credential <{spelled}> for my-client", "n": 1}}'
    out = Redactor([secret]).text(text)
    assert REDACTED in out
    assert not leaked(out, secret, "my-client"), out
    assert out.startswith('{"error": "bad credential <') and out.endswith('", "n": 1}')


def test_text_without_secrets_is_untouched() -> None:
    text = "p8e-Zq is a prefix too short to mean anything; so is eyJhbG and 'embedded'"
    assert Redactor([SECRET, TOKEN]).text(text) == text
    assert Redactor().text(text) == text


def test_short_values_are_not_treated_as_secrets() -> None:
    assert Redactor(["abc", ""]).text("abc and more abc") == "abc and more abc"


def test_values_are_redacted_in_keys_lists_and_strings() -> None:
    body = {SECRET.upper(): [f"x {SECRET}", 3], "ok": None}
    assert Redactor([SECRET]).value(body) == {REDACTED: [f"x {REDACTED}", 3], "ok": None}


def test_secrets_can_be_added_later() -> None:
    redactor = Redactor([SECRET])
    redactor.add(TOKEN)
    assert redactor.text(f"{SECRET} {TOKEN[:20]}") == f"{REDACTED} {REDACTED}"
    redactor.clear()
    assert redactor.text(SECRET) == SECRET


def test_the_stream_redacts_whole_lines_even_when_written_in_pieces() -> None:
    inner = io.StringIO()
    stream = RedactingStream(inner, Redactor([SECRET]))
    stream.write(f"start {SECRET[:12]}")
    stream.write(f"{SECRET[12:]} end\nnext ")
    assert inner.getvalue() == f"start {REDACTED} end\n"
    stream.write(json.dumps(SECRET)[1:-1])
    stream.flush()
    assert inner.getvalue() == f"start {REDACTED} end\nnext {REDACTED}"
