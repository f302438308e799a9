"""A failure fake_server raises under the plugin reads as its message and the
test's line, never the plugin's source; its warnings point at the test."""

from __future__ import annotations

import pytest

# Loaded here, not first inside a pytester run (which drops what it imported):
# the scenario checks read PyYAML's classes when they place a problem.
import yaml  # noqa: F401

from tests.cases.plugin_sources import BROKEN_CONTRACT, TIGHT_LOOP
from tests.helpers import write

# Lines of fake_server's own code that used to fill a failure's report.
PLUGIN_SOURCE = (
    "pytest_plugin.py",
    "handle.py",
    "loading.py",
    "def pytest_runtest_call",
    "raise ClientBehaviourError",
    "raise ScenarioError",
    "runtime.reset(",
    "All traceback entries are hidden",
)


@pytest.fixture(autouse=True)
def _only_the_plugins_these_runs_need(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:schemathesis -p no:anyio -p no:hypothesispytest")


def assert_plain(output: str) -> None:
    shown = [line for line in PLUGIN_SOURCE if line in output]
    assert shown == [], output


def test_a_refused_marker_scenario_shows_the_problem_and_the_test(
    pytester: pytest.Pytester,
) -> None:
    write(
        pytester,
        "test_bad.py",
        """
        import pytest

        @pytest.mark.fake_server_scenario("vector_stores:\\n  - id: 7\\n")
        def test_bad(fake_server):
            pass
        """,
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    output = result.stdout.str()
    assert "ScenarioError: <scenario text>:2: vector_stores[0].id: expected a string, got 7" in (
        output
    )
    assert "test_bad.py:4: test_bad" in output
    assert_plain(output)


def test_a_scenario_file_with_a_problem_reads_in_a_few_lines(pytester: pytest.Pytester) -> None:
    (pytester.path / "broken.yaml").write_text("vector_stores:\n  - id: vs_1\n    nmae: x\n")
    write(
        pytester,
        "test_file.py",
        """
        import pytest

        pytestmark = pytest.mark.fake_server_scenario("broken.yaml")

        def test_file(fake_server_inprocess):
            pass
        """,
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    output = result.stdout.str()
    assert "broken.yaml:3: vector_stores[0]" in output
    assert_plain(output)
    errors = output[output.index("= ERRORS =") : output.index("short test summary")]
    assert len(errors.splitlines()) < 10, errors


def test_strict_client_checks_show_the_findings_and_the_test(pytester: pytest.Pytester) -> None:
    write(pytester, "test_checks.py", TIGHT_LOOP)
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "strict and not sdks")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "ClientBehaviourError: fake_server saw the client go wrong during this test:",
            "  tight_polling (getVectorStoreFileBatch vs_1/vsfb_1): *",
            "",
            "test_checks.py:24: test_strict",
        ]
    )
    result.stdout.fnmatch_lines(["FAILED test_checks.py::test_strict - ClientBehaviourError: *"])
    assert_plain(output)


def test_a_contract_violation_shows_the_rule_and_the_test(pytester: pytest.Pytester) -> None:
    write(pytester, "test_contract.py", BROKEN_CONTRACT)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "ContractViolationError: fake_server answered outside the contract during this test:",
            "*at $.status*(rule: enum)*",
            "test_contract.py:14: test_swallows_the_error",
        ]
    )
    assert_plain(result.stdout.str())


def test_full_trace_still_shows_the_plugin(pytester: pytest.Pytester) -> None:
    write(pytester, "test_contract.py", BROKEN_CONTRACT)
    result = pytester.runpytest("-p", "no:cacheprovider", "--full-trace")
    result.assert_outcomes(failed=1)
    assert "pytest_plugin.py" in result.stdout.str()


def test_a_mistyped_fault_shows_the_tests_call_and_a_suggestion(
    pytester: pytest.Pytester,
) -> None:
    write(
        pytester,
        "test_typo.py",
        """
        def test_typo(fake_server_inprocess):
            fake_server_inprocess.add_fault("createFileBatch", status=500)
        """,
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            '>*fake_server_inprocess.add_fault("createFileBatch", status=500)',
            "E*ScenarioError: add_fault(): operation: unknown operation 'createFileBatch'; "
            "did you mean *'createVectorStoreFileBatch'*?",
            "test_typo.py:3: ScenarioError",
        ]
    )
    assert "listVectorStorePermissions" not in output  # not every id
    assert_plain(output)


# The inner run inherits this run's warning filters, where the warning is an error.
@pytest.mark.filterwarnings("default::fake_server.testing.handle.ClientCheckWarning")
def test_the_client_check_warning_points_at_the_test(pytester: pytest.Pytester) -> None:
    write(pytester, "test_checks.py", TIGHT_LOOP)
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "test_default")
    result.assert_outcomes(passed=1, warnings=1)
    output = result.stdout.str()
    result.stdout.fnmatch_lines(["*test_checks.py:19: ClientCheckWarning: fake_server saw*"])
    assert "pytest_plugin.py" not in output and "plain.py" not in output


def test_under_xdist_too(pytester: pytest.Pytester) -> None:
    write(pytester, "test_contract.py", BROKEN_CONTRACT)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "1")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "ContractViolationError: fake_server answered outside the contract during this test:",
            "test_contract.py:14: test_swallows_the_error",
            "FAILED test_contract.py::test_swallows_the_error - ContractViolationError: *",
        ]
    )
    assert_plain(result.stdout.str())
