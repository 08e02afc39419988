"""Functions defined from generated source, kept debuggable.

A route's runner (`di/compile.py`) and each step's `extract` (`di/extract.py`)
are written as Python source at startup. As `dataclasses` and attrs do for the
methods they write, every function defined here gets a filename of its own that
names its owner (`<transom plan: route GET /items/{item_id}>`), its source
registered with `linecache` (so a traceback shows the failing line and
`inspect.getsource` works), a `__qualname__` naming the owner and the
`__module__` of the code it runs for.

Routes of the same shape share their source, so it is compiled once. Each
function gets a copy of that code object with its own filename and names
(`CodeType.replace`, nested code objects included), which costs far less at
startup than compiling again. This module never sees a request.
"""

from __future__ import annotations

import builtins
import linecache
import types
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["define"]

#: Per source compiled so far: the function's code (under a placeholder
#: filename) and the source's lines, shared by every function of that source.
_COMPILED: dict[str, tuple[types.CodeType, list[str]]] = {}


def define(
    header: str,
    body: Sequence[str],
    *,
    kind: str,
    owner: str,
    namespace: dict[str, Any],
    runs: Callable[..., Any],
) -> Any:
    """The function `header` + `body` (indented one level), with `namespace` as its globals.

    Args:
        header: The `def` or `async def` line, e.g. `async def run(request):`.
        body: The lines of the body, unindented.
        kind: What the function is, for its filename, e.g. `plan`.
        owner: Whom it belongs to, for its filename and `__qualname__`, e.g.
            `route GET /items/{item_id}`.
        namespace: The globals of the function: every name its body uses.
        runs: The callable the function runs for (a handler): its module becomes
            the function's `__module__`.
    """
    source = "".join(f"{line}\n" for line in [header, *(f"    {line}" for line in body)])
    code, lines = _compiled(source)
    filename = _register(f"<transom {kind}: {owner}", source, lines)
    qualname = f"{code.co_name} of {owner}"
    # As `exec` would: C code that imports (pydantic-core's, for one) reads the
    # caller's `__builtins__` from its globals.
    namespace.setdefault("__builtins__", builtins)
    function = types.FunctionType(_relabel(code, filename, qualname), namespace)
    module = getattr(runs, "__module__", None)
    if isinstance(module, str):
        function.__module__ = module
    return function


def _compiled(source: str) -> tuple[types.CodeType, list[str]]:
    """The code of the one function `source` defines, and its lines; compiled once per source."""
    compiled = _COMPILED.get(source)
    if compiled is None:
        # The source is built from a plan alone, user values embedded with `repr`.
        module = compile(source, "<transom>", "exec")
        code = next(const for const in module.co_consts if isinstance(const, types.CodeType))
        compiled = _COMPILED[source] = (code, source.splitlines(keepends=True))
    return compiled


def _register(stem: str, source: str, lines: list[str]) -> str:
    """A filename for `source` under `stem`, registered with `linecache`.

    Two functions of one owner share a filename only if their sources are the
    same; otherwise the later one is numbered (`... #2>`), so that no traceback
    shows another function's lines.
    """
    filename, number = f"{stem}>", 1
    while not _claim(filename, source, lines):
        number += 1
        filename = f"{stem} #{number}>"
    return filename


def _claim(filename: str, source: str, lines: list[str]) -> bool:
    """Register `lines` as `filename` unless other lines hold it; whether they are there now."""
    # No modification time: `linecache.checkcache` keeps the entry, as there is
    # no file to compare it with.
    entry = (len(source), None, lines, filename)
    return linecache.cache.setdefault(filename, entry) == entry


def _relabel(code: types.CodeType, filename: str, qualname: str) -> types.CodeType:
    """`code` under `filename` and `qualname`, and so is the code nested in it."""
    consts = tuple(
        _relabel(const, filename, qualname + const.co_qualname.removeprefix(code.co_qualname))
        if isinstance(const, types.CodeType)
        else const
        for const in code.co_consts
    )
    return code.replace(co_filename=filename, co_qualname=qualname, co_consts=consts)
