"""Every spelling of a secret that a server could echo back, and text with each one replaced.

A hostile or careless server can answer the client secret or a token in another spelling
than the one sent: URL-encoded, upper- or lower-cased, JSON- or ``\\u``-escaped, as HTML
character references, base64 (alone or inside ``client_id:secret``), hex, or cut short.
Each character of a secret may come in any of these escapes (mixed ones included), and
any prefix of at least PREFIX characters is redacted as well as the whole. ``REDACTOR``
is the process-wide instance: the client adds every secret it is given and every token
it is issued, and the CLI passes everything it prints or writes through it.
"""

from __future__ import annotations

import base64
import io
import math
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

REDACTED = "[redacted]"
PREFIX = 8  # a cut-off echo of this many characters of a secret is redacted too
MIN_SECRET = 6  # shorter values are not secrets worth the false positives

_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f"}
_JSON_ESCAPES.update({"\n": "\\n", "\r": "\\r", "\t": "\\t"})
_HTML_NAMES = {"&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos"}


def _utf16_escape(char: str) -> str:
    units = char.encode("utf-16-be")
    return "".join(rf"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2))


def char_pattern(char: str) -> str:
    """A regex (used case-insensitively) for ``char`` as written or in any common escape."""
    forms = [re.escape(char)]
    forms.append("".join(f"%{b:02x}" for b in char.encode()))
    forms.append(_utf16_escape(char))
    forms.append("".join(rf"\\x{b:02x}" for b in char.encode()))
    forms.append(f"&#0*{ord(char)};")
    forms.append(f"&#x0*{ord(char):x};")
    if char == " ":
        forms.append(r"\+")
    if char in _JSON_ESCAPES:
        forms.append(re.escape(_JSON_ESCAPES[char]))
    if char in _HTML_NAMES:
        forms.append(f"&{_HTML_NAMES[char]};")
    return "(?:" + "|".join(forms) + ")"


def _base64_runs(data: bytes) -> list[str]:
    """The base64 characters that depend on ``data`` alone, at each of the 3 alignments it
    can have inside a longer encoded string, in both alphabets."""
    runs = []
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data).decode()
        run = encoded[math.ceil(8 * shift / 6) : (8 * (shift + len(data))) // 6]
        runs += [run, run.replace("+", "-").replace("/", "_")]
    return [r for r in dict.fromkeys(runs) if r]


@dataclass(frozen=True)
class _Spelling:
    """One way of writing a secret, as a regex per unit; ``needed`` units must match."""

    units: tuple[str, ...]
    needed: int


def spellings(secret: str) -> list[_Spelling]:
    """Every spelling of ``secret`` that is redacted, each with its shortest redacted prefix."""
    out = [_Spelling(tuple(char_pattern(c) for c in secret), min(PREFIX, len(secret)))]
    hexed = secret.encode().hex()
    out.append(_Spelling(tuple(hexed), min(2 * PREFIX, len(hexed))))
    for run in _base64_runs(secret.encode()):
        needed = min(math.ceil(PREFIX * 4 / 3), len(run))
        out.append(_Spelling(tuple(re.escape(c) for c in run), needed))
    return out


class Redactor:
    """Replaces every spelling of the secrets it holds; add() may be called at any time."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        # (anchor regex, spellings) swapped as one, so a reader never sees a half update
        self._state: tuple[re.Pattern[str], list[_Spelling]] | None = None
        self._units: dict[str, re.Pattern[str]] = {}
        self._lock = threading.Lock()
        self.add(*secrets)

    def __repr__(self) -> str:
        return f"<Redactor holding {len(self._secrets)} secret(s)>"

    def add(self, *secrets: str) -> None:
        fresh = {s for s in secrets if len(s) >= MIN_SECRET} - self._secrets
        if not fresh:
            return
        with self._lock:
            self._secrets |= fresh
            found = [sp for s in sorted(self._secrets) for sp in spellings(s)]
            anchors = "|".join(
                f"(?P<s{i}>{''.join(sp.units[: sp.needed])})" for i, sp in enumerate(found)
            )
            self._state = (re.compile(anchors, re.IGNORECASE), found)

    def clear(self) -> None:
        """Forget every secret (a new command starts with none known)."""
        with self._lock:
            self._secrets, self._state = set(), None

    def _unit(self, pattern: str) -> re.Pattern[str]:
        found = self._units.get(pattern)
        if found is None:
            found = self._units[pattern] = re.compile(pattern, re.IGNORECASE)
        return found

    def text(self, text: str) -> str:
        """``text`` with every spelling of every secret (or of a long enough prefix) replaced."""
        state = self._state
        if state is None or not text:
            return text
        anchor, found = state
        out: list[str] = []
        pos = 0
        while (match := anchor.search(text, pos)) is not None:
            spelling = found[int(str(match.lastgroup)[1:])]
            end = match.end()
            for unit in spelling.units[spelling.needed :]:
                more = self._unit(unit).match(text, end)
                if more is None:
                    break
                end = more.end()
            out += [text[pos : match.start()], REDACTED]
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def value(self, value: Any) -> Any:
        """``value`` with every string in it (keys included) redacted; other types kept."""
        if self._state is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value


REDACTOR = Redactor()


class RedactingStream(io.TextIOBase):
    """A text stream that redacts what passes through it, a line at a time.

    Whole lines are redacted at once, so a secret written in two pieces is still caught;
    ``flush`` sends an unfinished line (a prompt, a progress line) as it is so far.
    """

    def __init__(self, inner: TextIO, redactor: Redactor = REDACTOR) -> None:
        self._inner = inner
        self._redactor = redactor
        self._pending = ""

    @property
    def inner(self) -> TextIO:
        return self._inner

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return str(getattr(self._inner, "encoding", "utf-8"))

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._inner.isatty()

    def fileno(self) -> int:
        return self._inner.fileno()

    def write(self, text: str) -> int:
        self._pending += text
        cut = self._pending.rfind("\n")
        if cut >= 0:
            lines, self._pending = self._pending[: cut + 1], self._pending[cut + 1 :]
            self._inner.write(self._redactor.text(lines))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._inner.write(self._redactor.text(self._pending))
            self._pending = ""
        self._inner.flush()
