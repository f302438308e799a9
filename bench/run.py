"""fake_server's benchmark: one command, one table. See bench/README.md.

    .venv/bin/python bench/run.py            # everything (needs wrk and taskset)
    .venv/bin/python bench/run.py --quick    # fewer rounds, for a smoke run
    .venv/bin/python bench/run.py --only startup,inprocess
    .venv/bin/python bench/run.py --only image --image localhost/fake-server:test

Every comparison runs fake_server and a bare Starlette baseline (bench/baseline.py)
in the same run, in interleaved rounds (A B A B ...), and reports medians and
the ratio to the baseline, so machine noise largely cancels out. Only loopback
addresses are used; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import gc
import importlib.util
import itertools
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import yaml

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import instructions  # noqa: E402
import sdk_suite  # noqa: E402
from baseline import app as baseline_app  # noqa: E402

from fake_server import Contract, create_app, default_scenario, parse_scenario  # noqa: E402
from fake_server.defaults import IMAGE  # noqa: E402
from fake_server.domain.search_index import SearchIndex  # noqa: E402
from fake_server.domain.search_text import Document  # noqa: E402
from fake_server.testing.handle import FakeServer  # noqa: E402

AUTH = {"Authorization": "Bearer bench"}
BATCH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123"
SERVER_CPU, LOAD_CPU = "0", "1"
READY_TIMEOUT_SECONDS = 30


@dataclass
class Row:
    what: str
    fake: str
    baseline: str
    ratio: str
    target: str
    verdict: str


ROWS: list[Row] = []


def report(
    what: str,
    fake: float,
    base: float | None,
    unit: str,
    *,
    target: str = "",
    ok: bool | None = None,
) -> None:
    ratio = ""
    if base:
        ratio = f"{fake / base:.2f}x"
    verdict = "" if ok is None else ("met" if ok else "MISSED")
    ROWS.append(
        Row(
            what,
            f"{fake:,.2f} {unit}",
            "" if base is None else f"{base:,.2f} {unit}",
            ratio,
            target,
            verdict,
        )
    )
    print(
        f"  {what}: {fake:,.2f} {unit}" + (f" vs {base:,.2f} ({ratio})" if base else ""), flush=True
    )


# --- processes ----------------------------------------------------------------


@dataclass
class Served:
    url: str
    pid: int
    ready_seconds: float
    stack: str


# What a server must have answered to count as started: by default its
# health route; the start-up row waits for a provider answer instead.
HEALTH = ("GET", "/__fake__/health")


@contextmanager
def serving(
    command: list[str], cpu: str | None = None, first: tuple[str, str] = HEALTH
) -> Iterator[Served]:
    """Start a server process; yield its URL, pid, spawn-to-``first``-answer time and stack.

    Its stdout (the readiness line, then fake_server's request log) goes to
    a file, as a terminal or a container log would take it: a pipe nobody
    reads would fill and stall the server.
    """
    if cpu is not None and shutil.which("taskset"):
        command = ["taskset", "-c", cpu, *command]
    # Two opens of one file: the server appends through its own, this
    # process reads through another, so neither moves the other's offset.
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "stdout.log"
        # The client is made before the clock starts: its cost is this
        # process's, not the server's.
        with log.open("a") as out, log.open() as reader, httpx.Client(headers=AUTH) as client:
            started = time.perf_counter()
            process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.DEVNULL, text=True, cwd=REPO_ROOT
            )
            try:
                yield _served(reader, process, started, command, client=client, first=first)
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def _served(
    reader: IO[str],
    process: subprocess.Popen[str],
    started: float,
    command: list[str],
    *,
    client: httpx.Client,
    first: tuple[str, str],
) -> Served:
    line = _readiness_line(reader, process)
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    if match is None:
        raise RuntimeError(f"server did not start: {line!r}")
    url = match.group(0)
    method, path = first
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            status = client.request(method, url + path).status_code
        except httpx.TransportError:
            time.sleep(0.001)
            continue
        if status != 200:
            raise RuntimeError(f"{method} {path} answered {status}, not 200")
        break
    ready = time.perf_counter() - started
    # The baseline names its stack in its first line; fake_server's text line
    # keeps its documented shape, so its stack follows from the options.
    stack = re.search(r"stack: ([\w+ ]+)\)", line)
    return Served(url, process.pid, ready, stack.group(1) if stack else stack_of(command))


def stack_of(command: list[str]) -> str:
    """What ``fake-server serve`` picks for ``--loop``/``--http`` (auto: the fast half
    where it is installed, as tests/cli/test_stack.py checks)."""

    def option(name: str, fast: str, slow: str) -> str:
        chosen = command[command.index(name) + 1] if name in command else "auto"
        if chosen == "auto":
            return fast if importlib.util.find_spec(fast) is not None else slow
        return chosen

    return f"{option('--loop', 'uvloop', 'asyncio')} + {option('--http', 'httptools', 'h11')}"


def _readiness_line(reader: IO[str], process: subprocess.Popen[str]) -> str:
    """The first line the server writes, polled for (bounded)."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    line = ""
    while time.monotonic() < deadline and process.poll() is None:
        line += reader.readline()
        if line.endswith("\n"):
            return line
        time.sleep(0.0005)
    raise RuntimeError(f"server did not start (exit code {process.poll()})")


FAST, SLOW = ("auto", "auto"), ("asyncio", "h11")


def fake_command(*extra: str, stack: tuple[str, str] = FAST) -> list[str]:
    """``fake-server serve`` with its defaults (request log on, strict contract)."""
    loop, http = stack
    return [
        str(Path(sys.executable).parent / "fake-server"),
        "serve",
        "--port",
        "0",
        "--loop",
        loop,
        "--http",
        http,
        *extra,
    ]


# `fake-server serve` with the cyclic collector switched off before the package
# imports (the package keeps it as it finds it): only to measure the
# collector's share of a load, never how users run it.
COLLECTOR_OFF = (
    "import gc, sys; gc.disable(); from fake_server.cli import main; sys.exit(main(sys.argv[1:]))"
)


def fake_command_collector_off(*extra: str) -> list[str]:
    return [sys.executable, "-c", COLLECTOR_OFF, *fake_command(*extra)[1:]]


def baseline_command(stack: tuple[str, str] = FAST, *extra: str) -> list[str]:
    loop, http = stack
    return [
        sys.executable,
        str(BENCH_DIR / "baseline.py"),
        "--port",
        "0",
        "--loop",
        loop,
        "--http",
        http,
        *extra,
    ]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- sections -------------------------------------------------------------------


STACKS: dict[str, str] = {}


# The first provider answer, not the health route: whatever a server leaves
# to its first real request (imports, schemas, validators) is start-up too.
FIRST_CANCEL = ("POST", BATCH + "/cancel")


def bench_startup(rounds: int) -> None:
    print("startup: spawn to first answered cancel", flush=True)
    fake, base = [], []
    for _ in range(rounds):
        with serving(fake_command(), first=FIRST_CANCEL) as served:
            fake.append(served.ready_seconds)
            STACKS["fake_server"] = served.stack
        with serving(baseline_command(), first=FIRST_CANCEL) as served:
            base.append(served.ready_seconds)
            STACKS["baseline"] = served.stack
    f, b = statistics.median(fake) * 1000, statistics.median(base) * 1000
    report(
        "start to first answered cancel", f, b, "ms", target="<= 1.25x baseline", ok=f <= 1.25 * b
    )


WRK_SCRIPT = """
wrk.method = "{method}"
wrk.headers["Authorization"] = "Bearer bench"
wrk.headers["Content-Type"] = "application/json"
{body}
"""


def wrk(
    url: str, method: str, body: str | None, seconds: int, pid: int | None = None
) -> tuple[float, float, float, float]:
    """(requests/s, p50 ms, p99 ms, server CPU us per request) from wrk.

    16 keep-alive connections, wrk pinned to LOAD_CPU; the CPU cost is read
    from the server process ``pid`` (NaN without one).
    """
    script = WRK_SCRIPT.format(
        method=method, body=f"wrk.body = {json.dumps(body)}" if body is not None else ""
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = ["wrk", "-t1", "-c16", f"-d{seconds}s", "--latency", "-s", handle.name, url]
        if shutil.which("taskset"):
            command = ["taskset", "-c", LOAD_CPU, *command]
        cpu_before = cpu_seconds(pid) if pid else 0.0
        out = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 30, check=True
        ).stdout
        cpu = cpu_seconds(pid) - cpu_before if pid else float("nan")
    finally:
        os.unlink(handle.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(name: str) -> float:
        value, unit = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses under load")
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return rps, percentile("50"), percentile("99"), cpu * 1e6 / max(requests, 1)


LIST_PATH = "/v1/vector_stores/vs_abc123/file_batches/vsfb_list/files?limit=100"
# (name, method, path, body, requests/s target as a ratio to the baseline)
LOADS = [
    ("cancel", "POST", BATCH + "/cancel", None, 0.6),
    ("retrieve", "GET", BATCH, None, 0.5),
    ("list files (limit 100)", "GET", LIST_PATH, None, 0.4),
    (
        "create batch",
        "POST",
        "/v1/vector_stores/vs_abc123/file_batches",
        '{"file_ids": ["file-abc123"]}',
        0.4,
    ),
]


def rounds_of(
    servers: list[tuple[str, int]],
    load: tuple[str, str, str, str | None, float],
    rounds: int,
    seconds: int,
) -> list[list[float]]:
    """Interleaved rounds (A B C A B C ...) of one load; the medians for each server."""
    _, method, path, body, _ = load
    for url, _ in servers:
        # One unmeasured second each first: connections, caches and lazily
        # built state warm up outside the numbers.
        wrk(url + path, method, body, 1)
    runs: list[list[tuple[float, float, float, float]]] = [[] for _ in servers]
    for _ in range(rounds):
        for index, (url, pid) in enumerate(servers):
            runs[index].append(wrk(url + path, method, body, seconds, pid))
    return [[statistics.median(run[i] for run in served) for i in range(4)] for served in runs]


def report_load(name: str, target: float, f: list[float], b: list[float], suffix: str) -> None:
    """Rows of one load; with a ``suffix`` (a side comparison) they carry no target."""
    judged = not suffix
    report(
        f"{name}: requests/s{suffix}",
        f[0],
        b[0],
        "req/s",
        target=f">= {target}x baseline" if judged else "",
        ok=f[0] >= target * b[0] if judged else None,
    )
    if judged:
        report(f"{name}: p50 latency", f[1], b[1], "ms")
    report(
        f"{name}: p99 latency{suffix}",
        f[2],
        b[2],
        "ms",
        target="<= 1.5x baseline" if judged else "",
        ok=f[2] <= 1.5 * b[2] if judged else None,
    )
    report(f"{name}: server CPU per request{suffix}", f[3], b[3], "us")


def bench_throughput(rounds: int, seconds: int, soak_seconds: int) -> None:
    if shutil.which("wrk") is None:
        print("throughput: skipped, wrk is not installed (apt-get install wrk)", flush=True)
        return
    print("throughput: wrk, 16 connections, server on CPU 0, wrk on CPU 1", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / "list.yaml"
        scenario.write_text(list_scenario())
        with (
            serving(fake_command("--scenario", str(scenario)), SERVER_CPU) as fake,
            serving(baseline_command(), SERVER_CPU) as base,
        ):
            STACKS["fake_server"], STACKS["baseline"] = fake.stack, base.stack
            idle = rss_mb(fake.pid)
            for load in LOADS:
                name, _, _, _, target = load
                f, b = rounds_of(
                    [(fake.url, fake.pid), (base.url, base.pid)], load, rounds, seconds
                )
                report_load(name, target, f, b, "")
            after_load = rss_mb(fake.pid)
            wrk(fake.url + BATCH, "GET", None, soak_seconds)
            after_soak = rss_mb(fake.pid)
            # fake_server sends each answer in one write (fake_server/serve/one_write.py);
            # plain uvicorn, as the baseline above, in two. The baseline given the
            # same protocol shows what is left once that is out of the comparison.
            with serving(baseline_command(FAST, "--one-write"), SERVER_CPU) as base_one:
                servers = [(fake.url, fake.pid), (base_one.url, base_one.pid)]
                for load in (LOADS[0], LOADS[3]):
                    f, b = rounds_of(servers, load, max(rounds - 2, 2), seconds)
                    report_load(load[0], 0, f, b, " (baseline also writing once)")
            # The collector's share of create's p99: two fresh servers, one
            # collecting as `fake-server serve` does (fake_server/serve/collector.py),
            # one with the collector off, against the baseline.
            with (
                serving(fake_command(), SERVER_CPU) as fresh,
                serving(fake_command_collector_off(), SERVER_CPU) as fresh_off,
            ):
                servers = [
                    (fresh.url, fresh.pid),
                    (fresh_off.url, fresh_off.pid),
                    (base.url, base.pid),
                ]
                on, off, b = rounds_of(servers, LOADS[3], max(rounds - 2, 2), seconds)
                report_load(LOADS[3][0], 0, on, b, " (fresh server)")
                report_load(LOADS[3][0], 0, off, b, " (fresh server, collector off)")
        # The stack's effect: both on asyncio + h11, what plain uvicorn gives.
        with (
            serving(fake_command(stack=SLOW), SERVER_CPU) as fake_slow,
            serving(baseline_command(SLOW), SERVER_CPU) as base_slow,
        ):
            servers = [
                (fake_slow.url, fake_slow.pid),
                (base_slow.url, base_slow.pid),
            ]
            f, b = rounds_of(servers, LOADS[0], max(rounds - 2, 2), seconds)
            report_load("cancel", 0, f, b, f" ({fake_slow.stack}, both)")
    report("RSS idle", idle, None, "MB", target="<= 60 MB", ok=idle <= 60)
    report("RSS after load", after_load, None, "MB")
    report(
        f"RSS after a further {soak_seconds} s soak",
        after_soak,
        None,
        "MB",
        target="growth <= 10%",
        ok=after_soak <= after_load * 1.10,
    )


def list_scenario() -> str:
    files = "\n".join(f"          - {{id: file-{i:05d}}}" for i in range(200))
    return (
        "defaults: {processing_seconds: 3600}\n"
        "vector_stores:\n"
        "  - id: vs_abc123\n"
        "    file_batches:\n"
        "      - id: vsfb_abc123\n"
        "        files: [{id: file-abc123}, {id: file-abc456}, {id: file-abc789}]\n"
        "      - id: vsfb_list\n"
        "        files:\n" + files + "\n"
    )


def per_call(call: Callable[[], object], count: int, rounds: int) -> float:
    """Median over rounds of the mean seconds per call."""
    results = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(count):
            call()
        results.append((time.perf_counter() - started) / count)
    return statistics.median(results)


def bench_inprocess(rounds: int, count: int, contract: Contract) -> None:
    print("in-process: per request, no socket", flush=True)
    fake_app = create_app(default_scenario(), contract=contract)

    async def per_request(app: object) -> float:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://bench.invalid",
            headers=AUTH,
        ) as client:
            await client.post(BATCH + "/cancel")
            started = time.perf_counter()
            for _ in range(count):
                await client.post(BATCH + "/cancel")
            return (time.perf_counter() - started) / count

    fake, base = [], []
    for _ in range(rounds):
        fake.append(asyncio.run(per_request(fake_app)))
        base.append(asyncio.run(per_request(baseline_app)))
    f, b = statistics.median(fake) * 1e6, statistics.median(base) * 1e6
    report(
        "in-process cancel (httpx.ASGITransport)",
        f,
        b,
        "us",
        target="<= 1.5x baseline",
        ok=f <= 1.5 * b,
    )

    server = FakeServer(fake_app, "http://bench.invalid", in_process=True)
    client = server.openai_client()

    def cancel() -> object:
        return client.vector_stores.file_batches.cancel("vsfb_abc123", vector_store_id="vs_abc123")

    cancel()
    ms = per_call(cancel, count, rounds) * 1000
    report("sync openai SDK cancel, in-process", ms, None, "ms", target="< 1.0 ms", ok=ms < 1.0)


def bench_reset(rounds: int, count: int, contract: Contract) -> None:
    print("fixture reset: per test", flush=True)
    server = FakeServer(create_app(default_scenario(), contract=contract), "http://bench.invalid")
    scenario = default_scenario()
    us = per_call(lambda: server.reset(scenario), count, rounds) * 1e6
    report("fixture reset per test", us, None, "us", target="<= 1000 us", ok=us <= 1000)


def big_scenario(stores: int, batches_per_store: int, files_per_batch: int) -> str:
    lines = ["clock: {mode: virtual, start: 1704067200}", "vector_stores:"]
    for s in range(stores):
        lines.append(f"  - id: vs_{s:06d}")
        lines.append("    file_batches:")
        for b in range(batches_per_store):
            lines.append(f"      - id: vsfb_{s:06d}_{b:03d}")
            lines.append("        files:")
            lines.extend(
                f"          - {{id: file-{s:06d}-{b:03d}-{f:04d}}}" for f in range(files_per_batch)
            )
    return "\n".join(lines) + "\n"


def bench_scale(contract: Contract, rounds: int) -> None:
    print("scale: big scenarios, big batches, many vector stores", flush=True)
    text = big_scenario(50, 1, 2000)
    files = 50 * 2000
    as_json = json.dumps(yaml.safe_load(text))
    for label, source in (("YAML", text), ("JSON", as_json)):
        gc.collect()
        started = time.perf_counter()
        parse_scenario(source, "100k").instantiate()
        seconds = time.perf_counter() - started
        report(
            f"load a scenario of 100,000 files ({label})",
            seconds,
            None,
            "s",
            target="<= 2 s",
            ok=seconds <= 2,
        )
    gc.collect()
    tracemalloc.start()
    world = parse_scenario(as_json, "100k.json").instantiate()
    retained, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    report(
        "memory per file (state after loading)",
        retained / files,
        None,
        "bytes",
        target="<= 1 KB",
        ok=retained / files <= 1024,
    )
    del world

    app = create_app(parse_scenario(big_scenario(1, 1, 2000)), contract=contract)
    server = FakeServer(app, "http://bench.invalid", in_process=True)
    http = server.http_client()
    path = "/v1/vector_stores/vs_000000/file_batches/vsfb_000000_000/cancel"
    timings = []
    for _ in range(max(rounds, 5)):
        server.reset()
        started = time.perf_counter()
        response = http.post(path)
        timings.append(time.perf_counter() - started)
        assert response.json()["file_counts"]["cancelled"] == 2000
    ms = statistics.median(timings) * 1000
    report(
        "cancel of a 2,000-file batch (in-process HTTP)",
        ms,
        None,
        "ms",
        target="<= 5 ms",
        ok=ms <= 5,
    )

    costs: dict[int, float] = {}
    for stores in (10, 1000, 100_000):
        scaled_app = create_app(parse_scenario(big_scenario(stores, 1, 1)), contract=contract)
        scaled = FakeServer(scaled_app, "http://bench.invalid", in_process=True).http_client()
        middle = stores // 2
        target = f"/v1/vector_stores/vs_{middle:06d}/file_batches/vsfb_{middle:06d}_000"
        scaled.get(target)

        def retrieve(client: httpx.Client = scaled, url: str = target) -> object:
            return client.get(url)

        costs[stores] = per_call(retrieve, 500, rounds) * 1e6
        del scaled_app, scaled
        gc.collect()
    for stores, us in costs.items():
        report(
            f"retrieve with {stores:,} vector stores",
            us,
            costs[10],
            "us",
            target="flat (<= 1.2x)" if stores > 10 else "",
            ok=(us <= 1.2 * costs[10]) if stores > 10 else None,
        )


def bench_sdk_suite(rounds: int) -> None:
    print(f"SDK suite: {sdk_suite.TESTS} tests of one openai call each, per variant", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        suites = sdk_suite.write_suites(Path(folder))
        timings: dict[str, list[tuple[float, float, float]]] = {name: [] for name in suites}
        for _ in range(rounds):  # interleaved: fixture, in-process, respx, fixture, ...
            for name, suite in suites.items():
                timings[name].append(sdk_suite.run_suite(name, suite))

    def median(name: str, index: int) -> float:
        return statistics.median(run[index] for run in timings[name])

    stub = median("respx", 1) * 1000
    report("SDK test, respx stub: each test after the first", stub, None, "ms")
    inprocess = median("fake_server_inprocess", 1) * 1000
    report(
        "SDK test, fake_server_inprocess: each test after the first",
        inprocess,
        stub,
        "ms",
        target="<= 1.5x respx",
        ok=inprocess <= 1.5 * stub,
    )
    fixture = median("fake_server", 1) * 1000
    report("SDK test, fake_server fixture: each test after the first", fixture, stub, "ms")
    for name in suites:
        report(f"SDK suite, {name}: first test", median(name, 0) * 1000, None, "ms")
    whole = median("respx", 2)
    for name in suites:
        report(
            f"SDK suite, {name}: whole pytest process",
            median(name, 2),
            None if name == "respx" else whole,
            "s",
        )


# --- search: one store of 10,000 files, 64 MiB of text ------------------------------

SEARCH_FILES = 10_000
SEARCH_FILE_BYTES = 6_710  # 10,000 of them: 64 MiB (the session's content budget)
SEARCH_STORE = "vs_search"


def search_vocabulary() -> tuple[list[str], list[float]]:
    """20,000 made-up words and Zipf weights (the k-th most common word 1/k), as
    natural text has them: a few words in every chunk, most in a few."""
    syllables = ["ka", "lo", "mi", "re", "su", "ta", "ne", "po", "vi", "da", "ri", "go"]
    rng = random.Random(20261207)
    words: set[str] = set()
    while len(words) < 20_000:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered, list(itertools.accumulate(1 / rank for rank in range(1, len(ordered) + 1)))


def search_corpus() -> list[bytes]:
    """SEARCH_FILES texts of SEARCH_FILE_BYTES each, the same every run: windows
    of one pool of Zipf-distributed words."""
    words, weights = search_vocabulary()
    rng = random.Random(7)
    pool = rng.choices(words, cum_weights=weights, k=1_000_000)
    texts = []
    for index in range(SEARCH_FILES):
        start = (index * 104_729) % (len(pool) - 2_000)
        text = " ".join(pool[start : start + 2_000]).encode()
        texts.append(text[:SEARCH_FILE_BYTES])
    return texts


def search_queries(count: int) -> list[str]:
    """1 to 3 words each, drawn as often as the text uses them (common words too)."""
    words, weights = search_vocabulary()
    rng = random.Random(11)
    return [
        " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(1, 3))) for _ in range(count)
    ]


def search_scenario(folder: Path, texts: list[bytes]) -> Path:
    """A scenario of the texts (content files beside it), all in one store, completed."""
    (folder / "c").mkdir()
    files, batches = [], []
    for index, text in enumerate(texts):
        (folder / "c" / f"{index:05d}.txt").write_bytes(text)
        files.append({"id": f"file-{index:05d}", "content_file": f"c/{index:05d}.txt"})
    for first in range(0, len(texts), 2000):
        ids = [f"file-{index:05d}" for index in range(first, min(first + 2000, len(texts)))]
        batches.append({"files": [{"id": file_id, "status": "completed"} for file_id in ids]})
    scenario = {"files": files, "vector_stores": [{"id": SEARCH_STORE, "file_batches": batches}]}
    path = folder / "search.json"
    path.write_text(json.dumps(scenario))
    return path


def percentiles_ms(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, len(ordered) * 99 // 100)]
    return ordered[len(ordered) // 2] * 1000, p99 * 1000


SEARCH_WRK = """
queries = {queries}
counter = 0
request = function()
  counter = counter + 1
  local body = '{{"query": "' .. queries[(counter % #queries) + 1] .. '"}}'
  return wrk.format("POST", "{path}", {{["Authorization"] = "Bearer bench",
    ["Content-Type"] = "application/json"}}, body)
end
"""


def health_while(url: str, queries: list[str] | None, count: int) -> list[float]:
    """Health-check latencies of one client, one every 10 ms, while wrk (another
    process, 2 connections) sends ``queries`` in turn (None: nothing else runs)."""
    searching = None
    script = None
    if queries is not None:
        lua = SEARCH_WRK.format(
            queries="{" + ", ".join(json.dumps(query) for query in queries) + "}",
            path=f"/v1/vector_stores/{SEARCH_STORE}/search",
        )
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(lua)
        script = handle.name
        command = ["wrk", "-t1", "-c2", f"-d{count // 50 + 30}s", "-s", script, url]
        if shutil.which("taskset"):
            command = ["taskset", "-c", LOAD_CPU, *command]
        searching = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        time.sleep(1)  # the stream under way
    timings = []
    try:
        with httpx.Client(timeout=60) as client:
            for _ in range(count):
                started = time.perf_counter()
                client.get(url + "/__fake__/health").raise_for_status()
                timings.append(time.perf_counter() - started)
                time.sleep(0.01)
    finally:
        if searching is not None:
            searching.terminate()
            searching.wait(timeout=30)
        if script is not None:
            os.unlink(script)
    return timings


def bench_search(quick: bool) -> None:
    if shutil.which("wrk") is None:
        print("search: skipped, wrk is not installed (apt-get install wrk)", flush=True)
        return
    print("search: 10,000 files, 64 MiB of text, in one vector store", flush=True)
    texts = search_corpus()
    total = sum(len(text) for text in texts)
    queries = search_queries(60 if quick else 300)
    path = f"/v1/vector_stores/{SEARCH_STORE}/search"
    with tempfile.TemporaryDirectory() as folder:
        scenario = search_scenario(Path(folder), texts)
        with serving(fake_command("--scenario", str(scenario)), SERVER_CPU) as served:
            client = httpx.Client(base_url=served.url, headers=AUTH, timeout=600)
            before = rss_mb(served.pid)
            started = time.perf_counter()
            client.post(path, json={"query": queries[0]}).raise_for_status()
            built = time.perf_counter() - started
            grown = rss_mb(served.pid) - before
            timings = []
            for query in queries:
                started = time.perf_counter()
                client.post(path, json={"query": query}).raise_for_status()
                timings.append(time.perf_counter() - started)
            p50, p99 = percentiles_ms(timings)
            health_alone = health_while(served.url, None, 100 if quick else 300)
            during = health_while(served.url, queries, 100 if quick else 300)
            client.close()
    report("search: first search (indexes 64 MiB)", built, None, "s")
    report("search: query p50 (HTTP)", p50, None, "ms")
    report("search: query p99 (HTTP)", p99, None, "ms", target="< 50 ms", ok=p99 < 50)
    alone_p50, alone_p99 = percentiles_ms(health_alone)
    report("search: health p50, nothing else running", alone_p50, None, "ms")
    report("search: health p99, nothing else running", alone_p99, None, "ms")
    during_p50, health = percentiles_ms(during)
    report("search: health p50 during searches (wrk, 2 connections)", during_p50, None, "ms")
    report(
        "search: health p99 during searches (wrk, 2 connections)",
        health,
        None,
        "ms",
        target="< 20 ms",
        ok=health < 20,
    )
    report("search: server RSS growth from the first search", grown, None, "MB")
    memory = search_index_bytes(texts) / total
    report("search: index memory / text", memory, None, "x", target="< 3x", ok=memory < 3)


# --- responses: file_search over a store of 1,000 files ----------------------------------

RESPONSE_FILES = 1_000


def bench_responses(quick: bool) -> None:
    """A non-streamed file_search response against the search endpoint it runs, in one
    run and interleaved rounds, over one store of 1,000 files; a streamed one's time
    to its first event."""
    if shutil.which("wrk") is None:
        print("responses: skipped, wrk is not installed (apt-get install wrk)", flush=True)
        return
    print("responses: file_search over 1,000 files, against the search endpoint", flush=True)
    words, _ = search_vocabulary()
    query = " ".join(words[:3])  # common words: every search finds results
    search = ("POST", f"/v1/vector_stores/{SEARCH_STORE}/search", json.dumps({"query": query}))
    tools = [{"type": "file_search", "vector_store_ids": [SEARCH_STORE]}]
    asked: dict[str, object] = {"model": "bench", "input": query, "tools": tools}
    ask = ("POST", "/v1/responses", json.dumps(asked))
    rounds, seconds = (2, 2) if quick else (3, 5)
    with tempfile.TemporaryDirectory() as folder:
        scenario = search_scenario(Path(folder), search_corpus()[:RESPONSE_FILES])
        with serving(fake_command("--scenario", str(scenario)), SERVER_CPU) as served:
            loads = {"search": search, "responses": ask}
            runs: dict[str, list[tuple[float, float, float, float]]] = {n: [] for n in loads}
            for method, path, body in loads.values():
                wrk(served.url + path, method, body, 1)  # warm: the index is built once
            for _ in range(rounds):
                for name, (method, path, body) in loads.items():
                    runs[name].append(wrk(served.url + path, method, body, seconds))
            first_events = streamed_first_event(served.url, asked, 30 if quick else 100)
    rps = {name: statistics.median(run[0] for run in found) for name, found in runs.items()}
    p99 = {name: statistics.median(run[2] for run in found) for name, found in runs.items()}
    ratio = rps["responses"] / rps["search"]
    report(
        "responses: file_search, not streamed (req/s; baseline: the search endpoint)",
        rps["responses"],
        rps["search"],
        "req/s",
        target=">= 0.5x search",
        ok=ratio >= 0.5,
    )
    report(
        "responses: file_search p99 (baseline: search p99)", p99["responses"], p99["search"], "ms"
    )
    p50_first, p99_first = percentiles_ms(first_events)
    report("responses: streamed, time to first event p50", p50_first, None, "ms")
    report("responses: streamed, time to first event p99", p99_first, None, "ms")


def streamed_first_event(url: str, asked: dict[str, object], count: int) -> list[float]:
    """Seconds from sending a streamed request to reading its first event, one at a time."""
    timings = []
    with httpx.Client(base_url=url, headers=AUTH, timeout=60) as client:
        for _ in range(count):
            started = time.perf_counter()
            with client.stream("POST", "/v1/responses", json={**asked, "stream": True}) as answer:
                answer.raise_for_status()
                lines = answer.iter_lines()
                first = next(lines)
                timings.append(time.perf_counter() - started)
                assert first.startswith("event: response.created"), first
                for _ in lines:
                    pass
    return timings


def search_index_bytes(texts: list[bytes]) -> int:
    """What the store's index keeps for the texts (tracemalloc, after collection)."""
    documents = [
        Document(f"file-{index:05d}", f"{index:05d}.txt", {}, text, None)
        for index, text in enumerate(texts)
    ]
    gc.collect()
    tracemalloc.start()
    index = SearchIndex()
    for _ in index.rank(documents, ["x"]):
        pass
    gc.collect()
    retained, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del index
    return retained


def print_table(quick: bool) -> None:
    cpu = platform.processor() or platform.machine()
    print()
    stacks = ", ".join(f"{name} on {stack}" for name, stack in STACKS.items())
    print(
        f"fake_server benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, {cpu}, "
        f"Python {platform.python_version()}, {stacks or 'no server run'}"
        f"{' (quick)' if quick else ''}"
    )
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print()
    print("| what | fake_server | baseline | ratio | target | |")
    print("|---|---:|---:|---:|---|---|")
    for row in ROWS:
        print(
            f"| {row.what} | {row.fake} | {row.baseline} | {row.ratio} | {row.target} | "
            f"{row.verdict} |"
        )


def bench_instructions() -> None:
    if not instructions.available():
        print("instructions: skipped, valgrind is not installed (apt-get install valgrind)")
        return
    print("instructions: per in-process cancel, counted by callgrind", flush=True)
    fake, base = instructions.per_cancel("fake"), instructions.per_cancel("baseline")
    report("in-process cancel: instructions", fake, base, "instr.")


SECTIONS = (
    "startup",
    "throughput",
    "sdk",
    "inprocess",
    "instructions",
    "reset",
    "scale",
    "search",
    "responses",
    "record",
    "image",
)


def bench_record(rounds: int, count: int) -> None:
    """The recording proxy's cost: a cancel sent through ``fake-server record`` to a
    fake_server upstream, against the same cancel sent to that upstream directly,
    on one keep-alive client each, in interleaved rounds."""
    print("record: a cancel through the recording proxy vs direct", flush=True)
    script = str(Path(sys.executable).parent / "fake-server")
    with tempfile.TemporaryDirectory() as out, serving(fake_command(), cpu=SERVER_CPU) as upstream:
        proxy_command = [script, "record", "--upstream", upstream.url, "--out", out, "--port", "0"]
        with (
            serving(proxy_command) as proxy,
            httpx.Client(base_url=upstream.url, headers=AUTH) as direct,
            httpx.Client(base_url=proxy.url, headers=AUTH) as proxied,
        ):
            direct.post(BATCH + "/cancel")
            proxied.post(BATCH + "/cancel")
            through, plain, cpu, upstream_cpu = [], [], [], []
            for _ in range(rounds):
                used = cpu_seconds(proxy.pid)
                through.append(per_call(lambda: proxied.post(BATCH + "/cancel"), count, 1))
                cpu.append((cpu_seconds(proxy.pid) - used) / count)
                used = cpu_seconds(upstream.pid)
                plain.append(per_call(lambda: direct.post(BATCH + "/cancel"), count, 1))
                upstream_cpu.append((cpu_seconds(upstream.pid) - used) / count)
    p, d = statistics.median(through) * 1000, statistics.median(plain) * 1000
    report("cancel through fake-server record (direct: baseline)", p, d, "ms")
    report(
        "record: latency the proxy adds per request",
        p - d,
        None,
        "ms",
        # A real service answers a cancel in tens to hundreds of milliseconds.
        target="< 5 ms",
        ok=p - d < 5.0,
    )
    # CPU per request (user + system, kernel wake-ups included), which the
    # machine's load inflates less than latency: the proxy's against the
    # upstream fake_server's own for the same cancel sent directly.
    used, served = statistics.median(cpu) * 1000, statistics.median(upstream_cpu) * 1000
    # No target: the proxy's HTTP client (httpx's transport, h11 and anyio) is
    # most of it, and the figure is shown to be watched, not to pass.
    report("record: proxy CPU per request (baseline: the upstream's)", used, served, "ms")


# --- the container image ------------------------------------------------------

IMAGE_READY_TARGET_MS = 1500
IMAGE_MAX_MB = 200


def podman_run(*args: str) -> str:
    env = {"CONTAINERS_CONF": str(REPO_ROOT / "tools" / "podman" / "containers.conf"), **os.environ}
    done = subprocess.run(
        ["podman", *args], capture_output=True, text=True, env=env, timeout=120, check=True
    )
    return done.stdout.strip()


def container_ready_seconds(image: str) -> float:
    """From ``podman run`` to the first 200 of /__fake__/ready through the published port."""
    started = time.monotonic()
    container = podman_run("run", "-d", "-p", "127.0.0.1::8080", image)
    try:
        port = podman_run("port", container, "8080/tcp").rsplit(":", 1)[1]
        deadline = started + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/__fake__/ready").status_code == 200:
                    return time.monotonic() - started
            time.sleep(0.01)
        raise RuntimeError(f"{image} was not ready after {READY_TIMEOUT_SECONDS} s")
    finally:
        podman_run("rm", "-f", "-t", "0", container)


def bench_image(rounds: int, image: str) -> None:
    print(f"image: {image}, podman run to ready", flush=True)
    try:
        size = int(podman_run("image", "inspect", image, "--format", "{{.Size}}"))
    except (OSError, subprocess.SubprocessError):
        print(f"  skipped: no podman here, or no image {image} (make image)", flush=True)
        return
    times = [container_ready_seconds(image) for _ in range(rounds)]
    ready = statistics.median(times) * 1000
    report(
        "container start to ready (podman run)",
        ready,
        None,
        "ms",
        target=f"< {IMAGE_READY_TARGET_MS} ms",
        ok=ready < IMAGE_READY_TARGET_MS,
    )
    mb = size / 1_000_000
    report("image size", mb, None, "MB", target=f"< {IMAGE_MAX_MB} MB", ok=mb < IMAGE_MAX_MB)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and shorter loads")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections: {', '.join(SECTIONS)}",
    )
    parser.add_argument(
        "--image",
        default=IMAGE,
        help=f"the image the image section starts (default {IMAGE}, as make image tags it)",
    )
    args = parser.parse_args()
    only = set(args.only.split(","))
    # Start-up is measured as users get it from a wheel, whose installer
    # compiles the modules; an editable checkout may not have done so.
    compileall.compile_dir(REPO_ROOT / "fake_server", quiet=1)
    rounds = 3 if args.quick else 5
    contract = Contract.load()
    if "startup" in only:
        bench_startup(2 * rounds - 1)  # start-up varies most: more samples
    if "throughput" in only:
        bench_throughput(2 if args.quick else 5, 2 if args.quick else 3, 5 if args.quick else 20)
    if "sdk" in only:
        bench_sdk_suite(3 if args.quick else 5)
    if "inprocess" in only:
        bench_inprocess(rounds, 500 if args.quick else 2000, contract)
    if "instructions" in only:
        bench_instructions()
    if "reset" in only:
        bench_reset(rounds, 500 if args.quick else 2000, contract)
    if "scale" in only:
        bench_scale(contract, rounds)
    if "search" in only:
        bench_search(args.quick)
    if "responses" in only:
        bench_responses(args.quick)
    if "record" in only:
        bench_record(rounds, 200 if args.quick else 1000)
    if "image" in only:
        bench_image(rounds, args.image)
    print_table(args.quick)
    return 1 if any(row.verdict == "MISSED" for row in ROWS) else 0


if __name__ == "__main__":
    sys.exit(main())
