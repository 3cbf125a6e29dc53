"""The package's shape: no import cycles (imports inside functions included), a CLI that only
talks to the API, and storage only in `store/`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "audioarticles"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imported(path: Path, known: set[str], own: str | None = None) -> set[str]:
    """The package modules a file imports, anywhere in it (functions too, not TYPE_CHECKING
    blocks). `from a import b` counts as `a.b` when that is a module, else `a`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for part in node.body for child in ast.walk(part)}
    own = own or module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in known else base)
    return {name for name in found if name in known and name != own}


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imported(path, set(known)) for name, path in known.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as a path that comes back to its start, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_function_level_imports_count(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from audioarticles import publish\n", encoding="utf-8")
    assert imported(source, {"audioarticles.publish"}, "audioarticles.m") == {
        "audioarticles.publish"}


def test_the_package_has_no_import_cycles():
    graph = import_graph()
    # a package's __init__ importing its own modules is how it exports them, not a cycle
    # of concerns; its modules importing the package's re-exports back would be
    assert "audioarticles.editorial" in graph and "audioarticles.store" in graph
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cli_talks_only_to_the_api():
    allowed = {"audioarticles.api", "audioarticles.errors", "audioarticles.progress"}
    uses = imported(PACKAGE / "cli.py", set(modules()))
    assert uses <= allowed, sorted(uses - allowed)


FORBIDDEN = ("sqlite3", "os.replace", "os.link", "os.rename")
# the settings' storage places: only the store turns them into paths
STORAGE_PLACES = {"state_dir", "unreleased_dir", "catalog_path", "cache_dir"}


@pytest.mark.parametrize("name", sorted(n for n in modules() if not n.startswith(
    "audioarticles.store") and n != "audioarticles.testing.fake_gtts"))
def test_storage_happens_only_in_store(name):
    """Only `store/` opens the catalog's database, renames files into place or finds the
    private state folder (the fake remote service, a test helper, keeps its own files)."""
    text = modules()[name].read_text(encoding="utf-8")
    tree = ast.parse(text)
    calls = {ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    names = {alias.name for node in ast.walk(tree)
             if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    assert "sqlite3" not in names
    assert not calls & set(FORBIDDEN), sorted(calls & set(FORBIDDEN))
    if name != "audioarticles.config":
        places = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        assert not places & STORAGE_PLACES, sorted(places & STORAGE_PLACES)


# what writes, renames or deletes a file by its path (the file store does it for publish/)
WRITES = {"os.replace", "os.rename", "os.open", "os.fdopen", "os.remove", "os.unlink",
          "os.link", "os.symlink", "os.makedirs", "os.mkdir", "tempfile.mkstemp",
          "tempfile.NamedTemporaryFile"}
WRITE_METHODS = {"write_text", "write_bytes", "unlink", "rename", "replace", "touch",
                 "mkdir", "rmdir", "symlink_to", "hardlink_to"}
STORE_WRITERS = {"AtomicBatch", "atomic_write_bytes", "atomic_write_text", "atomic_path",
                 "remove_if_ours", "replace_with", "temp_beside", "move_into_place"}


def direct_writes(tree: ast.AST) -> list[str]:
    """Calls in `tree` that write, rename or delete a file themselves: open() in a writing
    mode, path methods that write, os/shutil/tempfile calls, the store's own path helpers."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = ast.unparse(node.func)
        last = func.rpartition(".")[2]
        if func in ("open", "io.open", "builtins.open"):
            mode = node.args[1] if len(node.args) > 1 else next(
                (k.value for k in node.keywords if k.arg == "mode"), None)
            text = mode.value if isinstance(mode, ast.Constant) else "?" if mode else "r"
            if not isinstance(text, str) or set(text) & set("wax+?"):
                found.append(f"{func}(..., {text!r})")
        elif func in WRITES or func.startswith("shutil.") or last in STORE_WRITERS:
            found.append(func)
        elif isinstance(node.func, ast.Attribute) and last in WRITE_METHODS:
            if not (last == "replace" and (node.args and isinstance(node.args[0], ast.Constant)
                                           or len(node.args) != 1 or node.keywords)):
                found.append(func)  # str.replace("a", "b") and dataclasses.replace(x, k=v) are not
    return found


def test_the_write_finder_finds_writes():
    tree = ast.parse("open(p, 'w')\nopen(p, mode='ab')\nopen(p)\np.write_text('x')\n"
                     "os.replace(a, b)\ntmp.replace(target)\n'a'.replace('a', 'b')\n"
                     "replace(item, number=1)\nshutil.copyfile(a, b)\nq.unlink()\n"
                     "atomic_write_bytes(p, b'')\nbatch.write('feed.xml', b'', kind)\n")
    assert direct_writes(tree) == ["open(..., 'w')", "open(..., 'ab')", "p.write_text",
                                   "os.replace", "tmp.replace", "shutil.copyfile", "q.unlink",
                                   "atomic_write_bytes"]


@pytest.mark.parametrize("name", sorted(n for n in modules()
                                        if n.startswith("audioarticles.publish")))
def test_publish_writes_only_through_the_file_store(name):
    """The site (feed, pages, embeds, covers, private feeds, editions) is written, read back,
    listed and deleted through `FileStore` (`site_batch`, `read`, `listing`, `delete_site`),
    never into a folder by path: object storage is then one more implementation."""
    tree = ast.parse(modules()[name].read_text(encoding="utf-8"))
    assert direct_writes(tree) == []
