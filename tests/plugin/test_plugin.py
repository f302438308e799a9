"""The pytest plugin, exercised the way users run it: pytester runs real test files."""

from __future__ import annotations

# pytester's in-process runs drop the modules they imported, and httpx
# imports httpcore on first use and keeps its exception classes: imported
# during a run, a later test's connection errors would escape httpx's mapping
# (an httpcore.ConnectError instead of an httpx.ConnectError).
import httpcore  # noqa: F401
import pytest

from tests.cases.plugin_sources import BROKEN_CONTRACT, TIGHT_LOOP
from tests.helpers import REPO_ROOT, write

SMALL_SCENARIO = """\
clock: {mode: virtual, start: 1000}
vector_stores:
  - id: vs_small
    file_batches:
      - id: vsfb_small
        files: [{id: file-1, processing_seconds: 10}]
"""


@pytest.fixture(autouse=True)
def _only_the_plugins_these_runs_need(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runs started here load no pytest plugin they do not use.

    Each fresh interpreter (the xdist run starts three) is seconds sooner
    without schemathesis' and hypothesis' plugins: with bytecode writing off,
    pytest assertion-rewrites their whole packages on every start. Set after
    pytester, which clears the variable.
    """
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:schemathesis -p no:anyio -p no:hypothesispytest")


def test_each_test_starts_from_the_scenario(pytester: pytest.Pytester) -> None:
    write(
        pytester,
        "test_reset.py",
        """
        def test_cancel(fake_server):
            client = fake_server.openai_client()
            batch = client.vector_stores.file_batches.cancel(
                "vsfb_abc123", vector_store_id="vs_abc123")
            assert batch.status == "cancelled"
            client.vector_stores.create(name="left behind")

        def test_sees_nothing_of_the_previous_test(fake_server):
            client = fake_server.openai_client()
            batch = client.vector_stores.file_batches.retrieve(
                "vsfb_abc123", vector_store_id="vs_abc123")
            assert batch.status == "in_progress"
            assert [s.id for s in client.vector_stores.list()] == ["vs_abc123"]
            assert fake_server.requests()[0]["operation"] == "getVectorStoreFileBatch"

        def test_one_server_per_session(fake_server, request):
            import os
            assert fake_server.url.startswith("http://127.0.0.1:")
    """,
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_scenario_by_marker_module_fixture_option_and_ini(pytester: pytest.Pytester) -> None:
    write(pytester, "scenarios/small.yaml", SMALL_SCENARIO)
    write(pytester, "tests/small_too.yaml", SMALL_SCENARIO.replace("vs_small", "vs_marked"))
    write(
        pytester,
        "tests/test_marker.py",
        """
        import pytest

        @pytest.mark.fake_server_scenario("small_too.yaml")
        def test_path_relative_to_the_test_file(fake_server):
            assert fake_server.http_client().get("/v1/vector_stores/vs_marked").status_code == 200

        @pytest.mark.fake_server_scenario("vector_stores: [{id: vs_inline}]\\n")
        def test_yaml_text(fake_server):
            assert fake_server.http_client().get("/v1/vector_stores/vs_inline").status_code == 200

        def test_the_configured_one(fake_server):
            assert fake_server.http_client().get("/v1/vector_stores/vs_small").status_code == 200
    """,
    )
    write(
        pytester,
        "tests/test_module.py",
        """
        import pytest
        pytestmark = pytest.mark.fake_server_scenario("small_too.yaml")

        def test_module_marker(fake_server):
            assert fake_server.http_client().get("/v1/vector_stores/vs_marked").status_code == 200
    """,
    )
    write(
        pytester,
        "tests/override/test_fixture.py",
        """
        import pytest
        from fake_server import parse_scenario

        @pytest.fixture
        def fake_server_scenario():
            return parse_scenario("vector_stores: [{id: vs_fixture}]\\n")

        def test_fixture_override(fake_server_inprocess):
            client = fake_server_inprocess.http_client()
            assert client.get("/v1/vector_stores/vs_fixture").status_code == 200
    """,
    )
    write(pytester, "pytest.ini", "[pytest]\nfake_server_scenario = scenarios/small.yaml\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=5)

    # The command-line flag wins over the ini option.
    write(pytester, "other.yaml", "vector_stores: [{id: vs_flag}]\n")
    write(
        pytester,
        "tests/test_flag.py",
        """
        def test_flag(fake_server):
            assert fake_server.http_client().get("/v1/vector_stores/vs_flag").status_code == 200
    """,
    )
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--fake-server-scenario", "other.yaml", "tests/test_flag.py"
    )
    result.assert_outcomes(passed=1)


def test_helpers(pytester: pytest.Pytester) -> None:
    write(pytester, "small.yaml", SMALL_SCENARIO)
    write(
        pytester,
        "test_helpers.py",
        """
        import pytest

        pytestmark = pytest.mark.fake_server_scenario("small.yaml")

        @pytest.mark.parametrize("name", ["fake_server", "fake_server_inprocess"])
        def test_clock_faults_journal_and_clients(name, request):
            server = request.getfixturevalue(name)
            assert server.openai_base_url == server.url + "/v1"
            assert server.mka1_base_url == server.url
            assert server.advance(10) == 1010
            sdk = server.mka1_client()
            batch = sdk.llm.vector_stores.get_file_batch(
                vector_store_id="vs_small", batch_id="vsfb_small")
            assert batch.status == "completed"
            server.add_fault("cancelVectorStoreFileBatch", status=500, times=1)
            client = server.openai_client(max_retries=1)
            client.vector_stores.file_batches.cancel("vsfb_small", vector_store_id="vs_small")
            assert [e["status"] for e in server.requests()] == [200, 500, 200]
            server.clear_requests()
            assert server.requests() == []
    """,
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_contract_violation_fails_the_test_that_caused_it(pytester: pytest.Pytester) -> None:
    write(pytester, "test_violation.py", BROKEN_CONTRACT)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ContractViolationError*", "*at $.status*(rule: enum)*"])


def test_runs_under_xdist(pytester: pytest.Pytester) -> None:
    tests = "\n".join(
        f"""
def test_{index}(fake_server):
    client = fake_server.openai_client()
    before = client.vector_stores.file_batches.retrieve("vsfb_abc123", vector_store_id="vs_abc123")
    assert before.status == "in_progress"
    client.vector_stores.file_batches.cancel("vsfb_abc123", vector_store_id="vs_abc123")
"""
        for index in range(8)
    )
    write(pytester, "test_parallel.py", tests)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(["*2 workers*"])


def test_the_readme_example_passes(pytester: pytest.Pytester) -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    start = readme.index("```python\n# test_vector_store_cleanup.py")
    example = readme[start + len("```python\n") : readme.index("```", start + 10)]
    assert len(example.strip().splitlines()) <= 12
    write(pytester, "test_vector_store_cleanup.py", example)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


# The inner run inherits this run's warning filters, where the warning is an error.
@pytest.mark.filterwarnings("default::fake_server.testing.handle.ClientCheckWarning")
def test_client_checks_warn_by_default_and_strict_fails_the_test(
    pytester: pytest.Pytester,
) -> None:
    write(pytester, "test_checks.py", TIGHT_LOOP)
    result = pytester.runpytest("-p", "no:cacheprovider", "-rA")
    result.assert_outcomes(passed=3, failed=1, warnings=1)
    output = result.stdout.str()
    assert "test_checks.py::test_default" in output and "ClientCheckWarning" in output
    assert "tight_polling (getVectorStoreFileBatch vs_1/vsfb_1)" in output
    result.stdout.fnmatch_lines(["*ClientBehaviourError: fake_server saw the client go wrong*"])
    result.stdout.fnmatch_lines(["FAILED test_checks.py::test_strict - *"])


def test_client_checks_set_by_the_ini_option(pytester: pytest.Pytester) -> None:
    write(pytester, "test_checks.py", TIGHT_LOOP)
    pytester.makeini("[pytest]\nfake_server_client_checks = strict\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=2)
    pytester.makeini("[pytest]\nfake_server_client_checks = off\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3, failed=1)


def test_a_bad_client_checks_mode_is_a_usage_error(pytester: pytest.Pytester) -> None:
    write(pytester, "test_checks.py", "def test_nothing():\n    pass\n")
    pytester.makeini("[pytest]\nfake_server_client_checks = loud\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*fake_server_client_checks: 'loud' is not one of: off, warn, strict*"]
    )


def test_the_guides_client_checks_example_fails_as_it_says(pytester: pytest.Pytester) -> None:
    guide = (REPO_ROOT / "docs" / "guides" / "pytest-plugin.md").read_text()
    start = guide.index("```python\n# test_client_checks.py")
    example = guide[start + len("```python\n") : guide.index("```", start + 10)]
    write(pytester, "test_client_checks.py", example)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*cancel_not_confirmed (cancelVectorStoreFileBatch vs_1/vsfb_1)*"])


ASKED_TOO_EARLY = '''
import pytest

SCENARIO = """
clock: {mode: virtual, start: 1704067200}
files: [{id: file-a, content: "Refunds are paid within 14 days."}]
vector_stores:
  - {id: vs_1, file_batches: [{id: vsfb_1, files: [{id: file-a, processing_seconds: 60}]}]}
"""


@pytest.mark.fake_server_scenario(SCENARIO)
@pytest.mark.fake_server_client_checks("strict")
def test_asks_before_the_batch_is_done(fake_server):
    fake_server.openai_client().responses.create(
        model="m",
        input="refunds",
        tools=[{"type": "file_search", "vector_store_ids": ["vs_1"]}],
    )
'''


def test_strict_client_checks_fail_a_question_asked_before_ingestion(
    pytester: pytest.Pytester,
) -> None:
    write(pytester, "test_early.py", ASKED_TOO_EARLY)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*searched_before_ready*"])
