"""The collector policy of ``fake-server serve`` (fake_server/serve/collector.py).

It changes the process's cyclic collector, so each case runs in a fresh
interpreter and reports what it saw as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from fake_server.serve.collector import SUPPORTED

pytestmark = pytest.mark.skipif(not SUPPORTED, reason="CPython 3.11 to 3.13's collector only")

PRELUDE = """
import asyncio, gc, json, weakref
from fake_server.serve.collector import GROWTH_BEFORE_FULL, Collector

class Node:
    def __init__(self):
        self.me = self  # a cycle: only the cyclic collector frees it

def frozen_cycle():
    '''A cycle that survives a young collection (so it is frozen), then dies.'''
    node = Node()
    gc.collect(0)
    return weakref.ref(node)
"""


def run_case(body: str) -> dict[str, Any]:
    script = PRELUDE + textwrap.dedent(body)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_young_survivors_are_frozen_and_never_scanned_again() -> None:
    seen = run_case(
        """
        collector = Collector()
        collector.start()
        frozen_before = gc.get_freeze_count()
        kept = [[index] for index in range(5000)]  # tracked objects that stay alive
        gc.collect(0)
        print(json.dumps({
            "thresholds": gc.get_threshold(),
            "frozen": gc.get_freeze_count() - frozen_before,
            "older": len(gc.get_objects(1)) + len(gc.get_objects(2)),
            "young_collections": collector.young_collections,
            "frozen_since_full": collector.frozen_since_full,
        }))
        """
    )
    assert seen["thresholds"] == [700, 2**31 - 1, 2**31 - 1]
    assert seen["frozen"] >= 5000
    assert seen["older"] == 0
    assert seen["young_collections"] >= 1
    # An estimate (the young generation's count, less what it freed): near the truth.
    assert 4500 <= seen["frozen_since_full"] <= 6000


def test_frozen_cyclic_garbage_waits_for_an_idle_check() -> None:
    seen = run_case(
        """
        collector = Collector()
        collector.start()
        cycle = frozen_cycle()
        gc.collect(0)  # a young collection does not reach it any more
        after_young = cycle() is not None
        busy = collector.check()  # a young collection since the last check: busy
        after_busy = cycle() is not None
        idle = collector.check()  # none since: idle, everything is collected
        print(json.dumps({
            "after_young": after_young, "busy": busy, "after_busy": after_busy,
            "idle": idle, "after_idle": cycle() is not None,
            "full_collections": collector.full_collections,
            "young_collections": collector.young_collections,
        }))
        """
    )
    assert seen["after_young"] and seen["after_busy"]
    assert (seen["busy"], seen["idle"]) == (False, True)
    assert seen["after_idle"] is False
    assert seen["full_collections"] == 1
    assert seen["young_collections"] == 0


def test_with_a_request_count_idle_means_no_request_answered_between_checks() -> None:
    # Light load: requests answered, too few for a young collection in a
    # second. That is not idle: the full collection waits for real idleness.
    seen = run_case(
        """
        answered = [0]
        collector = Collector(activity=lambda: answered[0])
        collector.start()
        cycle = frozen_cycle()
        answered[0] += 3
        light = [collector.check()]
        answered[0] += 1
        light.append(collector.check())
        after_light = cycle() is not None
        idle = collector.check()  # no request since the last check
        print(json.dumps({
            "light": light, "after_light": after_light, "idle": idle,
            "after_idle": cycle() is not None,
        }))
        """
    )
    assert seen["light"] == [False, False]
    assert seen["after_light"] is True
    assert seen["idle"] is True
    assert seen["after_idle"] is False


def test_a_check_that_fails_does_not_end_the_checks() -> None:
    seen = run_case(
        """
        async def main():
            calls = [0]
            def activity():
                calls[0] += 1
                if calls[0] == 2:  # the first scheduled check
                    raise RuntimeError("boom")
                return 0
            collector = Collector(activity=activity, check_seconds=0.01)
            loop = asyncio.get_running_loop()
            loop.set_exception_handler(lambda loop, context: None)
            collector.start(loop)
            for _ in range(200):  # bounded: 2 s at most
                if calls[0] >= 4:
                    break
                await asyncio.sleep(0.01)
            collector.stop()
            return {"calls": calls[0]}
        print(json.dumps(asyncio.run(main())))
        """
    )
    assert seen["calls"] >= 4


def test_fake_server_serve_takes_the_collector_over_and_gives_it_back(tmp_path: Any) -> None:
    ready = tmp_path / "ready.json"
    seen = run_case(
        f"""
        import os, signal, threading, time
        from fake_server.cli import main
        found = {{}}
        def watch():
            for _ in range(300):  # bounded: 30 s at most
                if os.path.exists({str(ready)!r}):
                    break
                time.sleep(0.1)
            found["serving"] = gc.get_threshold()
            found["callbacks"] = len(gc.callbacks)
            os.kill(os.getpid(), signal.SIGTERM)
        threading.Thread(target=watch, daemon=True).start()
        code = main(["serve", "--port", "0", "--log-level", "warning",
                     "--ready-file", {str(ready)!r}])
        print(json.dumps({{**found, "code": code, "after": gc.get_threshold(),
                          "callbacks_after": len(gc.callbacks)}}))
        """
    )
    assert seen["code"] == 0
    assert seen["serving"] == [700, 2**31 - 1, 2**31 - 1]
    assert seen["callbacks"] == 1
    assert seen["after"] == [700, 10, 10]
    assert seen["callbacks_after"] == 0


def test_an_idle_server_with_nothing_new_is_left_alone() -> None:
    seen = run_case(
        """
        collector = Collector()
        collector.start()
        print(json.dumps({"checks": [collector.check() for _ in range(3)]}))
        """
    )
    assert seen["checks"] == [False, False, False]


def test_under_endless_load_a_fourfold_growth_of_the_frozen_objects_collects_all() -> None:
    seen = run_case(
        """
        collector = Collector()
        collector.start()
        alive = collector.alive_after_full
        cycle = frozen_cycle()
        collector.check()
        kept = []
        young_before = collector.young_collections
        for _ in range(GROWTH_BEFORE_FULL * alive // 100 + 10):  # bounded: past the growth
            kept.append([[index] for index in range(100)])
        busy = collector.young_collections > young_before
        collected = collector.check()
        print(json.dumps({
            "busy": busy, "collected": collected, "after": cycle() is not None,
            "alive_after_full": collector.alive_after_full, "alive_before": alive,
        }))
        """
    )
    assert seen["busy"], "the load made no young collection"
    assert seen["collected"] is True
    assert seen["after"] is False
    assert seen["alive_after_full"] > seen["alive_before"]


def test_on_the_event_loop_the_check_runs_by_itself() -> None:
    seen = run_case(
        """
        async def main():
            collector = Collector(check_seconds=0.02)
            collector.start(asyncio.get_running_loop())
            cycle = frozen_cycle()
            for _ in range(200):  # bounded: 4 s at most
                if cycle() is None:
                    break
                await asyncio.sleep(0.02)
            collector.stop()
            return {
                "freed": cycle() is None,
                "thresholds": gc.get_threshold(),
                "callbacks": len(gc.callbacks),
            }
        print(json.dumps(asyncio.run(main())))
        """
    )
    assert seen["freed"] is True
    assert seen["thresholds"] == [700, 10, 10]  # given back as it was
    assert seen["callbacks"] == 0


IMPORT_EVERYTHING_A_USER_IMPORTS = """
import gc, json, sys
thresholds = gc.get_threshold()
loaded_while_paused = []
sys.addaudithook(
    lambda event, args: event == "import" and not gc.isenabled()
    and loaded_while_paused.append(args[0])
)
import fake_server, fake_server.cli, fake_server.testing.pytest_plugin
from fake_server import *
print(json.dumps({
    "enabled": gc.isenabled(), "thresholds": gc.get_threshold() == thresholds,
    "frozen": gc.get_freeze_count(), "callbacks": len(gc.callbacks),
    "loaded_while_paused": loaded_while_paused,
}))
"""


def test_importing_the_package_and_its_plugin_leaves_the_collector_alone() -> None:
    """Only `fake-server serve` changes the collector: a pytest run that merely has the
    plugin installed, or a program that imports fake_server, keeps its own."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING_A_USER_IMPORTS],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seen = json.loads(done.stdout)
    assert seen["enabled"] is True
    assert seen["thresholds"] is True
    assert seen["frozen"] == 0
    assert seen["callbacks"] == 0
    assert seen["loaded_while_paused"] == []


def test_fake_server_serve_loads_the_app_with_the_collector_paused(tmp_path: Any) -> None:
    ready = tmp_path / "ready.json"
    seen = run_case(
        f"""
        import os, signal, sys, threading, time
        loaded_while_paused = []
        sys.addaudithook(
            lambda event, args: event == "import" and not gc.isenabled()
            and loaded_while_paused.append(args[0])
        )
        def watch():
            for _ in range(300):  # bounded: 30 s at most
                if os.path.exists({str(ready)!r}):
                    break
                time.sleep(0.1)
            os.kill(os.getpid(), signal.SIGTERM)
        threading.Thread(target=watch, daemon=True).start()
        from fake_server.cli import main
        code = main(["serve", "--port", "0", "--log-level", "warning",
                     "--ready-file", {str(ready)!r}])
        print(json.dumps({{"code": code, "enabled": gc.isenabled(),
                          "paused": sorted(set(loaded_while_paused))}}))
        """
    )
    assert seen["code"] == 0
    assert seen["enabled"] is True
    assert {"uvicorn", "starlette", "fake_server.http.app"} <= set(seen["paused"])
