"""The package's public Python API, walked module by module, for the tests that hold every public
function to a rule (tests/test_results_contract.py, tests/test_vocabulary.py).

The interfaces (command line, web) are left out: they return what their framework needs and their
names are checked where people see them (tests/test_cli_options.py, the OpenAPI document).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import levelscope

INTERFACES = ("levelscope.cli", "levelscope.web")


def public_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every public function and method (class and static methods included) of the package's
    modules, interfaces aside, with its dotted name; each is yielded where it is defined."""
    for info in pkgutil.walk_packages(levelscope.__path__, "levelscope."):
        if info.name.startswith(INTERFACES) or "._" in info.name or ".migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value):
                yield f"{info.name}.{name}", value
            elif inspect.isclass(value):
                for attribute, member in vars(value).items():
                    function = getattr(member, "__func__", member)  # class and static methods
                    if inspect.isfunction(function) and not attribute.startswith("_"):
                        yield f"{info.name}.{name}.{attribute}", function
