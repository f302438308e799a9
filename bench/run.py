"""fake_server's benchmark: one command, one table. See bench/README.md.

    .venv/bin/python bench/run.py            # everything (needs wrk and taskset)
    .venv/bin/python bench/run.py --quick    # fewer rounds, for a smoke run
    .venv/bin/python bench/run.py --only startup,inprocess

Every comparison runs fake_server and a bare Starlette baseline (bench/baseline.py)
in the same run, in interleaved rounds (A B A B ...), and reports medians and
the ratio to the baseline, so machine noise largely cancels out. Only loopback
addresses are used; every loop is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import gc
import json
import os
import platform
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

import httpx
import yaml

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from baseline import app as baseline_app  # noqa: E402

from fake_server import Contract, create_app, default_scenario, parse_scenario  # noqa: E402
from fake_server.testing import FakeServer  # noqa: E402

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


@contextmanager
def serving(command: list[str], cpu: str | None = None) -> Iterator[tuple[str, int, float]]:
    """Start a server process; yield (url, pid, seconds from spawn to first healthy answer)."""
    if cpu is not None and shutil.which("taskset"):
        command = ["taskset", "-c", cpu, *command]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO_ROOT,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", line)
        if match is None:
            raise RuntimeError(f"server did not start: {line!r}")
        url = match.group(0)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        with httpx.Client() as client:
            while time.monotonic() < deadline:
                try:
                    if client.get(url + "/__fake__/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.001)
        ready = time.perf_counter() - started
        yield url, process.pid, ready
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def fake_command(*extra: str) -> list[str]:
    return [
        str(Path(sys.executable).parent / "fake-server"),
        "serve",
        "--port",
        "0",
        "--log-level",
        "warning",
        *extra,
    ]


def baseline_command() -> list[str]:
    return [sys.executable, str(BENCH_DIR / "baseline.py"), "--port", "0"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- sections -------------------------------------------------------------------


def bench_startup(rounds: int) -> None:
    print("startup: spawn to first healthy answer", flush=True)
    fake, base = [], []
    for _ in range(rounds):
        with serving(fake_command()) as (_, _, ready):
            fake.append(ready)
        with serving(baseline_command()) as (_, _, ready):
            base.append(ready)
    f, b = statistics.median(fake) * 1000, statistics.median(base) * 1000
    report("start to first healthy answer", f, b, "ms", target="<= 1.3x baseline", ok=f <= 1.3 * b)


WRK_SCRIPT = """
wrk.method = "{method}"
wrk.headers["Authorization"] = "Bearer bench"
wrk.headers["Content-Type"] = "application/json"
{body}
"""


def wrk(url: str, method: str, body: str | None, seconds: int) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) from wrk, 16 keep-alive connections, pinned to LOAD_CPU."""
    script = WRK_SCRIPT.format(
        method=method, body=f"wrk.body = {json.dumps(body)}" if body is not None else ""
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = ["wrk", "-t1", "-c16", f"-d{seconds}s", "--latency", "-s", handle.name, url]
        if shutil.which("taskset"):
            command = ["taskset", "-c", LOAD_CPU, *command]
        out = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 30, check=True
        ).stdout
    finally:
        os.unlink(handle.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def percentile(name: str) -> float:
        value, unit = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses under load")
    return rps, percentile("50"), percentile("99")


LOADS = [
    ("cancel", "POST", BATCH + "/cancel", None, 0.8),
    ("retrieve", "GET", BATCH, None, 0.6),
    ("list files (limit 100)", "GET", None, None, 0.6),
    (
        "create batch",
        "POST",
        "/v1/vector_stores/vs_abc123/file_batches",
        '{"file_ids": ["file-abc123"]}',
        0.6,
    ),
]


def bench_throughput(rounds: int, seconds: int, soak_seconds: int) -> None:
    if shutil.which("wrk") is None:
        print("throughput: skipped, wrk is not installed (apt-get install wrk)", flush=True)
        return
    print("throughput: wrk, 16 connections, server on CPU 0, wrk on CPU 1", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / "list.yaml"
        scenario.write_text(list_scenario())
        with (
            serving(fake_command("--scenario", str(scenario)), SERVER_CPU) as (fake_url, pid, _),
            serving(baseline_command(), SERVER_CPU) as (base_url, _, _),
        ):
            idle = rss_mb(pid)
            for name, method, load_path, body, target in LOADS:
                path = load_path or (
                    "/v1/vector_stores/vs_abc123/file_batches/vsfb_list/files?limit=100"
                )
                # One unmeasured second each first: connections, caches and
                # lazily built state warm up outside the numbers.
                wrk(fake_url + path, method, body, 1)
                wrk(base_url + path, method, body, 1)
                fake_runs, base_runs = [], []
                for _ in range(rounds):
                    fake_runs.append(wrk(fake_url + path, method, body, seconds))
                    base_runs.append(wrk(base_url + path, method, body, seconds))
                f = [statistics.median(run[i] for run in fake_runs) for i in range(3)]
                b = [statistics.median(run[i] for run in base_runs) for i in range(3)]
                report(
                    f"{name}: requests/s",
                    f[0],
                    b[0],
                    "req/s",
                    target=f">= {target}x baseline",
                    ok=f[0] >= target * b[0],
                )
                report(f"{name}: p50 latency", f[1], b[1], "ms", target="", ok=None)
                report(
                    f"{name}: p99 latency",
                    f[2],
                    b[2],
                    "ms",
                    target="<= 1.5x baseline",
                    ok=f[2] <= 1.5 * b[2],
                )
            after_load = rss_mb(pid)
            wrk(fake_url + BATCH, "GET", None, soak_seconds)
            after_soak = rss_mb(pid)
            report("RSS idle", idle, None, "MB", target="<= 60 MB", ok=idle <= 60)
            report("RSS after load", after_load, None, "MB", target="", ok=None)
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


def print_table(quick: bool) -> None:
    cpu = platform.processor() or platform.machine()
    print()
    print(
        f"fake_server benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, {cpu}, "
        f"Python {platform.python_version()}{' (quick)' if quick else ''}"
    )
    print()
    print("| what | fake_server | baseline | ratio | target | |")
    print("|---|---:|---:|---:|---|---|")
    for row in ROWS:
        print(
            f"| {row.what} | {row.fake} | {row.baseline} | {row.ratio} | {row.target} | "
            f"{row.verdict} |"
        )


SECTIONS = ("startup", "throughput", "inprocess", "reset", "scale")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and shorter loads")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections: {', '.join(SECTIONS)}",
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
    if "inprocess" in only:
        bench_inprocess(rounds, 500 if args.quick else 2000, contract)
    if "reset" in only:
        bench_reset(rounds, 500 if args.quick else 2000, contract)
    if "scale" in only:
        bench_scale(contract, rounds)
    print_table(args.quick)
    return 1 if any(row.verdict == "MISSED" for row in ROWS) else 0


if __name__ == "__main__":
    sys.exit(main())
