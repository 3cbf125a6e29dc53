"""Check a settings file against its typed schema (pydantic) and say what is wrong in one line
per mistake: the file, the key, the closest valid key or the values allowed.

Every file a publisher edits (audioarticles.toml, voice profiles, boilerplate.toml,
lexicon.toml, optout.toml) has a schema made of `Section`s; `check` turns pydantic's errors into
a `UsageError` such as

    audioarticles.toml: unknown key `titel` in [podcast]; did you mean `title`?
    audioarticles.toml: [audio] bitrate = "12k": expected one of "32k", "40k", ... "320k"
"""

from __future__ import annotations

import difflib
import json
import re
import types
import typing
from typing import Any, ClassVar, Literal, TypeVar

import annotated_types
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from audioarticles.errors import UsageError
from audioarticles.intake import safe_text

M = TypeVar("M", bound=BaseModel)


class Section(BaseModel):
    """A table of a settings file: unknown keys are errors, TOML types are taken as they are
    (no "5" for 5, no 1 for true), no infinite or NaN numbers; read-only once checked."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True,
                              validate_default=True)

    #: keys that used to be here: where they went, said instead of "unknown key"
    moved: ClassVar[dict[str, str]] = {}

    @field_validator("*")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        """No setting carries control characters, terminal escapes or bidi overrides: they
        would reach the feed (which XML cannot hold), pages and terminals."""
        texts = [value] if isinstance(value, str) else \
            [v for v in value if isinstance(v, str)] if isinstance(value, list) else \
            [t for kv in value.items() for t in kv if isinstance(t, str)] \
            if isinstance(value, dict) else []
        if any(safe_text(text) != text for text in texts):
            raise ValueError("holds control characters, terminal escapes or bidi overrides; "
                             "remove them")
        return value


def check(schema: type[M], data: Any, origin: str, context: dict | None = None) -> M:
    """`data` (a parsed TOML document) as an instance of `schema`, or a UsageError naming
    `origin` and, one line per mistake, the key and the fix. `context` reaches validators
    (`ValidationInfo.context`; settings pass the project folder as "root")."""
    try:
        return schema.model_validate(data, context=context)
    except ValidationError as exc:
        lines = [f"{origin}: {problem(schema, error)}" for error in exc.errors()]
        raise UsageError("\n".join(dict.fromkeys(lines))) from None


# ---- one line per mistake --------------------------------------------------------------------

def problem(schema: type[BaseModel], error: dict) -> str:
    """What is wrong, for one pydantic error on `schema`."""
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return unknown_key(schema, loc)
    annotation, metadata = field_at(schema, loc)
    if kind == "missing":
        return f"{place(loc)} is missing; add it ({expected(annotation, metadata)})"
    shown = f"{place(loc)} = {toml_value(error.get('input'))}"
    if kind == "value_error":
        reason = str(error.get("ctx", {}).get("error", error["msg"]))
        return f"{shown}: {reason}"
    if kind == "string_pattern_mismatch":
        parent, _ = field_at(schema, loc[:-1])
        info = keys_of(parent).get(str(loc[-1]))
        example = f", like {toml_value(info.default)}" if info is not None and \
            isinstance(info.default, str) and info.default else ""
        return f"{shown}: expected text in the form {error['ctx']['pattern']}{example}"
    name = ".".join(str(part) for part in loc if not isinstance(part, int))
    if _is_model(annotation):
        return f"{shown}: expected a table; write [{name}] on a line of its own, its keys below"
    if typing.get_origin(annotation) is list and _is_model(typing.get_args(annotation)[0]):
        return f"{shown}: expected tables; write each as [[{name}]] on a line of its own, its " \
               "keys below"
    return f"{shown}: expected {expected(annotation, metadata)}"


def unknown_key(schema: type[BaseModel], loc: tuple) -> str:
    key = str(loc[-1])
    parent, _ = field_at(schema, loc[:-1])
    valid = list(keys_of(parent))
    where = f" in {table_name(loc[:-1])}" if loc[:-1] else ""
    moved = getattr(_unwrap(parent)[0], "moved", {})
    if key in moved:
        return f"{place(loc)} has moved; {moved[key]}"
    if not loc[:-1]:
        sections = [name for name in valid if _is_table(parent, name)]
        home = [name for name in sections if key in keys_of(_field_type(parent, name))]
        if home:
            return f"unknown key `{key}` at the top level; did you mean [{home[0]}] {key}?"
        if key not in sections and (close := closest(key, valid)):
            return f"unknown section [{key}]; did you mean [{close}]?" \
                if close in sections else f"unknown key `{key}`; did you mean `{close}`?"
    close = closest(key, valid)
    if close:
        return f"unknown key `{key}`{where}; did you mean `{close}`?"
    listed = ", ".join(valid) or "none"
    return f"unknown key `{key}`{where}; valid keys: {listed}"


def closest(key: str, valid: list[str]) -> str | None:
    """The valid key a typo most likely meant, if one is close enough."""
    matches = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    if not matches:
        folded = {name.lower().replace("-", "_"): name for name in valid}
        matches = [folded[k] for k in (key.lower().replace("-", "_"),) if k in folded]
    return matches[0] if matches else None


def table_name(loc: tuple) -> str:
    """`[audio.pauses]`; an array of tables by its number: `[[feeds]] number 2`."""
    names: list[str] = []
    number = ""
    for part in loc:
        if isinstance(part, int):
            number = f" number {part + 1}"
        else:
            names.append(str(part))
    return f"[[{'.'.join(names)}]]{number}" if number else f"[{'.'.join(names)}]"


def place(loc: tuple) -> str:
    """`[audio.pauses] sentence_ms`, `drop_lines[2]`, `[[feeds]] number 1 title`."""
    if isinstance(loc[-1], int) and len(loc) > 1:  # an item of a list of values
        head, key = loc[:-2], f"{loc[-2]}[{loc[-1]}]"
    else:
        head, key = loc[:-1], str(loc[-1])
    return f"{table_name(head)} {key}" if head else key


_URL_PASSWORD = re.compile(r"(://[^/@:\s]*:)[^@/\s]+@")


def toml_value(value: Any, limit: int = 60) -> str:
    """A value written as in TOML, cut to `limit` characters."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):  # escapes shown as escapes, never acted on by the terminal
        value = _URL_PASSWORD.sub(r"\1***@", value)  # a password is never printed back
        text = "".join(c if safe_text(c) == c else f"\\u{ord(c):04x}"
                       for c in json.dumps(value, ensure_ascii=False))
    elif isinstance(value, list | tuple):
        text = "[" + ", ".join(toml_value(v, limit) for v in value) + "]"
    elif isinstance(value, dict) and not value:
        text = "{}"
    elif isinstance(value, dict):
        text = "{ " + ", ".join(f"{k} = {toml_value(v, limit)}" for k, v in value.items()) + " }"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---- reading the schema ----------------------------------------------------------------------

def _unwrap(annotation: Any) -> tuple[Any, list]:
    """The type without Annotated/Optional wrappers, and the constraints they carried."""
    metadata: list = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            for item in extra:
                metadata.extend(getattr(item, "metadata", None) or [item])
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation, metadata
            annotation = members[0]
        else:
            return annotation, metadata


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def keys_of(annotation: Any) -> dict[str, Any]:
    annotation, _ = _unwrap(annotation)
    if not _is_model(annotation):
        return {}
    return {info.alias or name: info for name, info in annotation.model_fields.items()}


def _field_type(model: Any, key: str) -> Any:
    info = keys_of(model).get(key)
    return info.annotation if info is not None else None


def _is_table(model: Any, key: str) -> bool:
    return _is_model(_unwrap(_field_type(model, key))[0])


def field_at(schema: type[BaseModel], loc: tuple) -> tuple[Any, list]:
    """The annotation and constraints of the value at `loc` (Any when it cannot be told)."""
    annotation: Any = schema
    metadata: list = []
    for part in loc:
        annotation, _ = _unwrap(annotation)
        origin = typing.get_origin(annotation)
        if _is_model(annotation):
            info = keys_of(annotation).get(str(part))
            if info is None:
                return Any, []
            annotation, metadata = info.annotation, list(info.metadata)
        elif origin is dict:
            annotation, metadata = typing.get_args(annotation)[1], []
        elif origin in (list, tuple) and isinstance(part, int):
            annotation, metadata = typing.get_args(annotation)[0], []
        else:  # a member of a union, named by pydantic in the location: stay on the union
            continue
    inner, more = _unwrap(annotation)
    return inner, metadata + more


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _range(metadata: list) -> str:
    """ " from 0 to 60000", " above 0, up to 1024", " of at least 1"."""
    bounds: dict[str, str] = {}
    for item in metadata:
        if isinstance(item, annotated_types.BaseMetadata):
            for name in ("ge", "gt", "le", "lt"):
                if getattr(item, name, None) is not None:
                    bounds[name] = _number(getattr(item, name))
    low = f"from {bounds['ge']}" if "ge" in bounds else \
        f"above {bounds['gt']}" if "gt" in bounds else ""
    high = f"to {bounds['le']}" if "le" in bounds else \
        f"below {bounds['lt']}" if "lt" in bounds else ""
    if low and high:
        return f" {low} {high}" if low.startswith("from") and high.startswith("to") \
            else f" {low}, {'up to ' + bounds['le'] if 'le' in bounds else high}"
    if low:
        return f" of at least {bounds['ge']}" if "ge" in bounds else f" {low}"
    if high:
        return f" of at most {bounds['le']}" if "le" in bounds else f" {high}"
    return ""


def _min_length(metadata: list) -> int:
    return next((item.min_length for item in metadata
                 if isinstance(item, annotated_types.MinLen)), 0)


def expected(annotation: Any, metadata: list) -> str:
    """The values a key takes, in words: "a whole number from 0 to 10000", "true or false"."""
    annotation, more = _unwrap(annotation)
    metadata = metadata + more
    origin = typing.get_origin(annotation)
    if annotation is bool:
        return "true or false"
    if annotation is int:
        return "a whole number" + _range(metadata)
    if annotation is float:
        return "a number" + _range(metadata)
    if annotation is str:
        return "non-empty text" if _min_length(metadata) else "text (in quotes)"
    if origin is Literal:
        return "one of " + ", ".join(toml_value(v) for v in typing.get_args(annotation))
    if origin in (list, tuple):
        item = typing.get_args(annotation)[0] if typing.get_args(annotation) else Any
        return f"a list of {_plural(expected(item, []))}, e.g. [\"...\"]" \
            if _unwrap(item)[0] is str else f"a list of {_plural(expected(item, []))}"
    if origin is dict:
        value = typing.get_args(annotation)[1]
        return f"a table of {_plural(expected(value, []))}"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(expected(a, []) for a in typing.get_args(annotation)
                           if a is not type(None))
    if _is_model(annotation):
        return f"a table (keys: {', '.join(keys_of(annotation)) or 'none'})"
    return "another value"


def _plural(phrase: str) -> str:
    for single, plural in (("text (in quotes)", "texts"), ("non-empty text", "non-empty texts"),
                           ("a whole number", "whole numbers"), ("a number", "numbers"),
                           ("a table", "tables")):
        if phrase.startswith(single):
            return plural + phrase[len(single):]
    return phrase
