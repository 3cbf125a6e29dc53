"""The settings reference (docs/SETTINGS.md), written from the schema so it cannot drift:
`python -m audioarticles.settings_doc > docs/SETTINGS.md`."""

from __future__ import annotations

import inspect
import typing

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from audioarticles import config, engines
from audioarticles.validation import _is_model, _unwrap, expected, toml_value
from audioarticles.voices import VoiceProfile

HEADER = """# Settings reference

Generated from the schema in `src/audioarticles/config.py` (and each engine's own settings):
`python -m audioarticles.settings_doc > docs/SETTINGS.md`. Every file is checked when the
project loads; an unknown key or a value out of range stops the command with one line naming
the file, the key and the fix (exit 2), e.g.

    error: audioarticles.toml: unknown key `titel` in [podcast]; did you mean `title`?
    error: audioarticles.toml: [audio] bitrate = "12k": not an MP3 bitrate at 44100 Hz; use one of "32k", ...

All keys are optional unless marked *required*.
"""


def _default(info) -> str:
    if info.default is PydanticUndefined and info.default_factory is None:
        return "*required*"
    value = info.default_factory() if info.default_factory is not None else info.default
    if isinstance(value, BaseModel):
        return "(table)"
    if value is None:
        return "(unset)"
    return f"`{toml_value(value, 200)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(title: str, model: type[BaseModel]) -> list[str]:
    """The section `title` of `model` and, after it, its sub-tables."""
    lines = [f"### {title}", ""]
    doc = inspect.cleandoc(model.__doc__ or "") if model.__doc__ != BaseModel.__doc__ else ""
    if doc.startswith(title):  # "`[podcast]`: what ..." under the title `[podcast]`
        doc = doc[len(title):].lstrip(":. ")
        doc = doc[:1].upper() + doc[1:]
    if doc:
        lines += [doc, ""]
    rows, nested = [], []
    for name, info in model.model_fields.items():
        inner, _ = _unwrap(info.annotation)
        if _is_model(inner):
            nested.append((f"[{name}]", inner))
            continue
        item = (typing.get_args(inner) or [None])[0] if typing.get_origin(inner) is list else None
        if _is_model(item):  # an array of tables: [[feeds]]
            nested.append((f"[[{name}]]", item))
            continue
        rows.append(f"| `{name}` | {_default(info)} | {_cell(expected(info.annotation, list(info.metadata)))} "
                    f"| {_cell(info.description or '')} |")
    if rows:
        lines += ["| key | default | allowed | meaning |", "| --- | --- | --- | --- |", *rows, ""]
    else:
        lines += ["No keys.", ""]
    base = title.strip("`[]")
    for name, inner in nested:
        if title.startswith("`[") and name.startswith("[["):
            name = f"[[{base}.{name[2:]}"
        elif title.startswith("`["):
            name = f"[{base}.{name[1:]}"
        lines += table(f"`{name}`", inner)
    return lines


def reference() -> str:
    lines = [HEADER, "## audioarticles.toml", ""]
    schema = config._schema_for(tuple(sorted(engines.BUILTIN)))
    for name, info in schema.model_fields.items():
        section = _unwrap(info.annotation)[0]
        if typing.get_origin(section) is list:  # an array of tables
            lines += table(f"`[[{name}]]`", typing.get_args(section)[0])
        else:
            lines += table(f"`[{name}]`", section)
    lines += ["## Voice profiles (`voices/<name>.toml`)", ""]
    lines += table("profile", VoiceProfile)
    for name, cls in sorted(engines.BUILTIN.items()):
        lines += table(f"`[options]` of an engine = \"{name}\" voice", cls.VoiceOptions)
    for name, model in config.PROJECT_FILES.items():
        lines += [f"## {name}", ""]
        lines += table("top level", model)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(reference(), end="")
