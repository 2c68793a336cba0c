"""Pydantic validation errors → Diagnostics at the YAML position they are about."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from aep_reconciler.diagnostics import Diagnostic
from aep_reconciler.manifests.documents import Document, FieldPath, format_path

_MAX_SHOWN = 60


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ "; did you mean 'x'?" when a choice is close to ``word``, else ""."""
    ordered = sorted(choices)
    same = [c for c in ordered if c.lower() == word.lower()]  # platformURL → platformUrl
    close = same or difflib.get_close_matches(word, ordered, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold (Optional/Union/Annotated removed)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _step(annotation: Any, part: str | int) -> Any:
    for option in _unwrap(annotation):
        origin = typing.get_origin(option)
        if isinstance(part, int) and origin is list:
            return typing.get_args(option)[0]
        if isinstance(part, str) and origin is dict:
            return typing.get_args(option)[1]
        if isinstance(part, str) and isinstance(option, type) and issubclass(option, BaseModel):
            for name, info in option.model_fields.items():
                if part in (name, info.alias):
                    return info.annotation
    return None


def field_names(model: type[BaseModel], path: FieldPath) -> list[str]:
    """The field names (aliases where set) the model accepts at ``path``."""
    annotation: Any = model
    for part in path:
        annotation = _step(annotation, part)
    for option in _unwrap(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            return [info.alias or name for name, info in option.model_fields.items()]
    return []


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "…"


def _message(err: Any, model: type[BaseModel], loc: FieldPath) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        return f"unknown field '{key}'" + did_you_mean(key, field_names(model, loc[:-1]))
    if kind == "missing":
        return f"missing required field '{loc[-1]}'"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind in ("value_error", "assertion_error"):
        return msg
    return f"{msg}; found {_shown(err.get('input'))}"


def diagnostics_from(
    exc: ValidationError,
    model: type[BaseModel],
    doc: Document,
    prefix: FieldPath = (),
    skip: frozenset[FieldPath] = frozenset(),
) -> list[Diagnostic]:
    """One Diagnostic per error, placed on the key (unknown fields) or the value."""
    out = []
    for err in exc.errors():
        loc: FieldPath = tuple(err["loc"])
        full = (*prefix, *loc)
        if any(full[: len(s)] == s for s in skip):
            continue  # already reported, e.g. as a literal secret whose value must not show
        if err["type"] == "missing":  # point at the key of the mapping that lacks it
            where = doc.at(full[:-1], key=True)
        else:
            where = doc.at(full, key=err["type"] == "extra_forbidden")
        out.append(Diagnostic(_message(err, model, loc), where, format_path(full)))
    return out
