"""How the plugin's own failures read in a test report: the message and the test's
line, not the fixture and hook code that noticed the problem.

A refused scenario (the marker's, found while the fixture sets up), a contract
violation or the client's mistakes (found after the test ran) are raised by
fake_server, not by a line of the test, so pytest's traceback would show only
fake_server's source. The test author needs the words and where the test is.
"""

from __future__ import annotations

import inspect
import sysconfig
import warnings
from pathlib import Path

import pluggy
import pytest

import fake_server
from fake_server.scenario.problems import ScenarioError
from fake_server.testing.handle import ClientBehaviourError, ContractViolationError

PLAIN_ERRORS = (ScenarioError, ClientBehaviourError, ContractViolationError)
# Frames under these folders are fake_server's, pytest's or installed libraries':
# nothing the test's author wrote.
_MACHINERY = tuple(
    {
        *(Path(inspect.getfile(thing)).resolve().parent for thing in (fake_server, pluggy)),
        Path(inspect.getfile(pytest.Item)).resolve().parent,  # _pytest, not pytest's shim
        *(Path(sysconfig.get_path(name)).resolve() for name in ("stdlib", "purelib", "platlib")),
    }
)


def test_location(item: pytest.Item) -> tuple[str, int]:
    """The test's file and its first line (1-based; a decorator's, when it has one)."""
    line = item.location[1]
    return str(item.path), (line + 1 if line is not None else 1)


def plain_report(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> object:
    """The report body for ``excinfo`` when fake_server raised it outside any code the
    test's author wrote; None when pytest's own traceback is the right one (an error
    raised through the test's own lines, or ``--full-trace``)."""
    if not isinstance(excinfo.value, PLAIN_ERRORS) or item.config.getoption("fulltrace"):
        return None
    if any(_written_by_the_user(entry.path) for entry in excinfo.traceback):
        return None
    value = excinfo.getrepr(style="value", chain=False)
    path, line = test_location(item)
    words = f"{type(excinfo.value).__name__}: {excinfo.value}".splitlines()
    entry = value.reprtraceback.reprentries[-1]
    entry.lines = [*words, "", f"{Path(item.location[0])}:{line}: {item.name}"]
    crash = value.reprcrash
    if crash is not None:
        # Changed in place: the chain holds the same object, and xdist sends the chain.
        crash.path, crash.lineno, crash.message = path, line, words[0]
    return value


def warn_at_test(item: pytest.Item, warning: Warning) -> None:
    """Issue ``warning`` as if the test's first line had: the warnings summary then
    names the test's file, not the plugin's."""
    path, line = test_location(item)
    module = getattr(getattr(item, "module", None), "__name__", Path(path).stem)
    warnings.warn_explicit(warning, type(warning), path, line, module=module)


def _written_by_the_user(path: object) -> bool:
    if not isinstance(path, Path):
        return False  # a frame with no file: generated code, never the test's
    resolved = path.resolve()
    return not any(resolved.is_relative_to(root) for root in _MACHINERY)
