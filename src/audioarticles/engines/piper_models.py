"""Install a Piper model into the project's `voices/models/`, checked before it is used.

`install("fr_FR-siwis-medium", FOLDER|FILE.onnx|URL)` takes `NAME.onnx` and `NAME.onnx.json`
from a folder, from beside a file, or from a URL (`….onnx`, and `….onnx.json` beside it),
and refuses, with one line naming the file and the fix:
- a missing `.onnx.json`;
- a checksum that differs from the one given (`--sha256`);
- a configuration that is not Piper's (no phoneme map, no sample rate);
- a model file ONNX Runtime cannot load (truncated, not a model);
- a configuration that does not match the model: speakers the model does not take (or the
  reverse), or phoneme ids outside the model's table (a test inference with every id).
The files are written under dot-names and renamed into place, the configuration first, so a
model present is a model checked; a file already there with other content is kept unless
`replace` is asked.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from audioarticles.engines.piper import MODELS_DIR, Model, broken_model
from audioarticles.errors import InputError, UsageError
from audioarticles.store.atomic import atomic_write_text, move_into_place

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
MAX_MODEL_BYTES = 1024 * 1024 * 1024


class ModelRefused(UsageError):
    """The model (or its configuration) cannot be installed; the message says why."""

    exit_code = 1


@dataclass
class Installed:
    name: str
    onnx: Path
    config: Path
    sha256: str
    replaced: bool = False


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_in(source: str, name: str, folder: Path) -> tuple[Path, Path]:
    """The model and its configuration as temporary files in `folder`."""
    from audioarticles.fetch import FetchSettings, fetch, is_url

    def temporary(suffix: str) -> Path:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=f"{suffix}.part", dir=folder)
        os.close(fd)
        return Path(tmp)

    onnx_tmp, config_tmp = temporary(".onnx"), temporary(".onnx.json")
    try:
        if is_url(source):
            url = source if source.endswith(".onnx") else f"{source.rstrip('/')}/{name}.onnx"
            settings = FetchSettings(timeout_s=600, max_bytes=MAX_MODEL_BYTES)
            onnx_tmp.write_bytes(fetch(url, settings).body)
            try:
                config_tmp.write_bytes(fetch(f"{url}.json", settings).body)
            except InputError as exc:
                raise ModelRefused(f"{url}.json: {exc.reason}; a Piper model needs its "
                                   ".onnx.json configuration beside it") from None
            return onnx_tmp, config_tmp
        path = Path(source).expanduser()
        onnx = path / f"{name}.onnx" if path.is_dir() else path
        if not onnx.is_file():
            raise ModelRefused(f"{onnx}: no such model file; give the folder holding "
                               f"{name}.onnx and {name}.onnx.json, or the .onnx file")
        config = Path(f"{onnx}.json")
        if not config.is_file():
            raise ModelRefused(f"{config}: missing; a Piper model needs its .onnx.json "
                               "configuration beside it (download both files)")
        shutil.copyfile(onnx, onnx_tmp)
        shutil.copyfile(config, config_tmp)
        return onnx_tmp, config_tmp
    except BaseException:
        for tmp in (onnx_tmp, config_tmp):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        raise


def check_config(config_path: Path, shown: str) -> dict:
    """The configuration, if it is a Piper voice's; ModelRefused naming `shown` if not."""
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelRefused(f"{shown}: not JSON ({exc}); download the model's .onnx.json "
                           "again") from None
    if not isinstance(config, dict) or not isinstance(config.get("phoneme_id_map"), dict) \
            or not isinstance(config.get("audio", {}).get("sample_rate"), int):
        raise ModelRefused(f"{shown}: not a Piper voice configuration (no phoneme_id_map or "
                           "audio.sample_rate); download the model's .onnx.json again")
    return config


def check_match(onnx_path: Path, config: dict, name: str) -> None:
    """Load the model and run it once with every phoneme id the configuration uses."""
    import numpy as np
    import onnxruntime

    shown = f"{name}.onnx"
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4  # our one line says what went wrong, not ORT's log
    try:
        session = onnxruntime.InferenceSession(str(onnx_path), sess_options=options,
                                               providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001 (onnxruntime's errors have no common public base)
        cause = RuntimeError(str(exc).replace(str(onnx_path), shown))
        raise ModelRefused(str(broken_model(Model(Path(shown), Path(f"{shown}.json")), cause))) \
            from None
    inputs = {i.name for i in session.get_inputs()}
    speakers = int(config.get("num_speakers", 1))
    mismatch = f"{name}.onnx.json does not match {shown}"
    if {"input", "input_lengths", "scales"} - inputs:
        raise ModelRefused(f"{shown}: not a Piper voice model (inputs {sorted(inputs)})")
    if (speakers > 1) != ("sid" in inputs):
        raise ModelRefused(f"{mismatch}: the configuration says {speakers} speaker(s), the model "
                           f"{'takes' if 'sid' in inputs else 'does not take'} a speaker id; "
                           "download the .onnx.json that comes with this model")
    ids = sorted({int(i) for ids in config["phoneme_id_map"].values() for i in ids})
    if not ids:
        raise ModelRefused(f"{mismatch}: its phoneme map is empty")
    feed = {"input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array([0.667, 1.0, 0.8], dtype=np.float32)}
    if "sid" in inputs:
        feed["sid"] = np.array([0], dtype=np.int64)
    try:
        session.run(None, feed)
    except Exception as exc:  # noqa: BLE001
        detail = " ".join(str(exc).split())[:100]
        raise ModelRefused(f"{mismatch}: phoneme ids up to {ids[-1]} do not fit the model "
                           f"({detail}); download the .onnx.json that comes with this model") \
            from None


def install(project_root: Path, name: str, source: str, sha256: str = "",
            replace: bool = False) -> Installed:
    """Check and install model `name` from `source` (see the module docstring)."""
    if not _NAME.match(name) or name.endswith(".onnx"):
        raise UsageError(f"model name {name!r}: use the file name without .onnx, e.g. "
                         "fr_FR-siwis-medium")
    folder = project_root / MODELS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    onnx_tmp, config_tmp = _copy_in(source, name, folder)
    try:
        digest = sha256_of(onnx_tmp)
        if sha256 and digest != sha256.strip().lower():
            raise ModelRefused(f"{name}.onnx from {source}: checksum {digest} is not the "
                               f"expected {sha256.strip().lower()}; download it again")
        config = check_config(config_tmp, f"{name}.onnx.json")
        check_match(onnx_tmp, config, name)
        onnx, config_path = folder / f"{name}.onnx", folder / f"{name}.onnx.json"
        replaced = False
        for target, tmp in ((onnx, onnx_tmp), (config_path, config_tmp)):
            if target.exists() and sha256_of(target) != sha256_of(tmp):
                if not replace:
                    raise ModelRefused(f"{target} is already there with other content; "
                                       "add --replace to install this one instead")
                replaced = True
        umask = os.umask(0)
        os.umask(umask)
        for tmp in (config_tmp, onnx_tmp):  # mkstemp made them private; models are not secret
            os.chmod(tmp, 0o666 & ~umask)
        move_into_place(config_tmp, config_path)
        move_into_place(onnx_tmp, onnx)
        atomic_write_text(
            folder / f"{name}.onnx.sha256", f"{digest}  {name}.onnx\n{sha256_of(config_path)}  {name}.onnx.json\n")
        return Installed(name, onnx, config_path, digest, replaced)
    finally:
        for tmp in (onnx_tmp, config_tmp):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

