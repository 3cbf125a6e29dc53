"""`doctor --config` for the storage: each configured place reachable, writable and readable,
or one line saying what to fix."""

from __future__ import annotations

import os
import secrets

from audioarticles.config import Settings


def storage_checks(settings: Settings) -> list[dict]:
    """One result per storage place: `{"part", "where", "ok", "message"}`."""
    storage = settings.values.storage
    if not storage.public:
        return [_local("storage (public)", settings.output),
                _local("storage (private)", settings.state_dir)]
    from audioarticles.store.objects import probe

    results = []
    for part, url in (("storage (public)", storage.public),
                      ("storage (private)", storage.private)):
        problem = probe(url, storage.endpoint_url)
        results.append({"part": part, "where": url, "ok": problem is None,
                        "message": problem or "reachable, writable and readable"})
    return results


def _local(part: str, folder) -> dict:
    """A local folder: writable where it is, or where it will be created."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    probe = existing / f".audioarticles-probe-{secrets.token_hex(4)}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return {"part": part, "where": str(folder), "ok": False,
                "message": f"cannot write in {existing} ({exc.strerror}); give this user write "
                           "access to it, or set [storage] public/private to object storage"}
    shown = os.path.relpath(folder) if folder.is_absolute() else str(folder)
    return {"part": part, "where": shown, "ok": True, "message": "local folder, writable"}
