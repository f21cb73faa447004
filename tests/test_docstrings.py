"""Docstring examples run: every ``>>>`` line in the package gives the output its docstring shows.

Examples that read a workspace use ``ws``, the demo workspace built from the publishers' files.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
from typing import Any

import pytest

import levelscope


def modules_with_examples() -> list[str]:
    names = []
    finder = doctest.DocTestFinder()
    every = ["levelscope", *(m.name for m in pkgutil.walk_packages(levelscope.__path__, "levelscope."))]
    for name in every:
        if ".migrations" in name:
            continue
        module = importlib.import_module(name)
        if any(test.examples for test in finder.find(module)):
            names.append(name)
    return names


MODULES = modules_with_examples()


def test_the_examples_are_found() -> None:
    assert {"levelscope", "levelscope.spatial.global_autocorrelation", "levelscope.need.allocations",
            "levelscope.monitor.tracking", "levelscope.records.db", "levelscope.monitor.programmes",
            "levelscope.monitor.vfm", "levelscope.monitor.imports", "levelscope.monitor.dashboard",
            "levelscope.monitor.examples",
            } <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str, request: pytest.FixtureRequest) -> None:
    module = importlib.import_module(name)
    tests = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    needs_workspace = any("ws." in e.source or "ws," in e.source for t in tests for e in t.examples)
    extra: dict[str, Any] = {}
    if needs_workspace:
        extra["ws"] = request.getfixturevalue("demo_workspace")
    failures: list[str] = []
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    for test in tests:
        test.globs.update(extra)
        runner = doctest.DocTestRunner(optionflags=flags)
        runner.run(test, out=failures.append)
    assert not failures, "".join(failures)


#: The packages whose every exported function has the full numpydoc sections, and the analyses
#: over a workspace; the check grows with each package brought up to it.
DOCUMENTED = ("levelscope.measures", "levelscope.spatial", "levelscope.convergence",
              "levelscope.evaluate", "levelscope.records", "levelscope.compare", "levelscope.need",
              "levelscope.design", "levelscope.monitor")
WORKSPACE_ANALYSES = ("levelscope.measures.over_time.inequality_over_time",
                      "levelscope.spatial.clusters.workspace_clusters",
                      "levelscope.convergence.analysis.workspace_convergence")


def test_public_functions_have_numpydoc_sections() -> None:
    functions = []
    for package in DOCUMENTED:
        module = importlib.import_module(package)
        functions += [(f"{package}.{n}", getattr(module, n)) for n in module.__all__]
    for path in WORKSPACE_ANALYSES:
        module_name, name = path.rsplit(".", 1)
        functions.append((path, getattr(importlib.import_module(module_name), name)))
    missing = []
    for where, function in functions:
        if not inspect.isfunction(function):
            continue
        doc = inspect.getdoc(function) or ""
        takes = bool(inspect.signature(function).parameters)  # nothing to list for no parameters
        for section in ("Parameters", "Returns", "Examples")[0 if takes else 1:]:
            if f"{section}\n{'-' * len(section)}" not in doc:
                missing.append(f"{where}: {section}")
    assert missing == []
