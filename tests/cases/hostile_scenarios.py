"""Hostile scenarios, one table shared by the unit, CLI and HTTP tests.

Each case is a scenario text and what its refusal must say: the field (or
the start of it) and words of the message; the line where it is known. Every
one must be refused with a problem list, in bounded time and memory, by
``parse_scenario``, ``fake-server check`` and ``PUT /__fake__/scenario`` alike.
"""

from __future__ import annotations

from typing import NamedTuple

STORE = "vector_stores:\n  - id: vs_a\n"
BATCH = STORE + "    file_batches:\n      - id: vsfb_a\n        files:\n          - id: file-a\n"
FAULT = "faults:\n  - {operation: cancelVectorStoreFileBatch, "
BIG = 200_000  # characters of a value that must not be echoed whole


class Hostile(NamedTuple):
    text: str
    field: str  # the problem's field starts with this
    words: str  # and its message holds these words
    line: int | None = None


def _laughs(levels: int, width: int, shape: str = "list") -> str:
    """The "billion laughs": each level an anchored list (or mapping) of aliases to the last."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels + 1):
        aliases = [f"*l{level - 1}"] * width
        if shape == "mapping":
            body = "{" + ", ".join(f"k{i}: {alias}" for i, alias in enumerate(aliases)) + "}"
        elif shape == "merge":
            body = "{<<: [" + ", ".join(f"*l{level - 1}" for _ in range(width)) + "]}"
        else:
            body = "[" + ", ".join(aliases) + "]"
        lines.append(f"l{level}: &l{level} {body}")
    return "\n".join(lines) + "\n"


def _merge_laughs(levels: int, width: int) -> str:
    lines = ["m0: &m0 {" + ", ".join(f"k{i}: lol" for i in range(width)) + "}"]
    lines.extend(
        f"m{level}: &m{level} {{<<: [{', '.join([f'*m{level - 1}'] * width)}]}}"
        for level in range(1, levels + 1)
    )
    return "\n".join(lines) + "\n"


ALIASES = "aliases expand to more than"
DEEP = "nesting is deeper than 64 levels"
NOT_JSON = "is not a JSON value"
OUT_OF_RANGE = "an integer out of range"
NOT_FINITE = "not a finite number"

BOMBS: dict[str, Hostile] = {
    "laughs, 7 levels of 9 (430 bytes)": Hostile(_laughs(7, 9), "l", ALIASES),
    "laughs, 9 levels of 10": Hostile(_laughs(9, 10), "l", ALIASES),
    "laughs, 30 levels of 2": Hostile(_laughs(30, 2), "l", ALIASES),
    "laughs of mappings": Hostile(_laughs(7, 9, "mapping"), "l", ALIASES),
    "laughs through merge keys": Hostile(_merge_laughs(8, 9), "m", ALIASES),
    "two wide levels": Hostile(
        "a: &a [" + ", ".join(["x"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 1000) + "]\n",
        "b[",
        ALIASES,
        2,
    ),
    "one long string, aliased": Hostile(
        "a: &a " + "x" * 100_000 + "\nb: [" + ", ".join(["*a"] * 100) + "]\n",
        "b[",
        "characters",
        2,
    ),
    "laughs as the files of real batches": Hostile(
        _laughs(5, 9).replace("l", "q")
        + STORE
        + "    file_batches:\n"
        + "".join("      - files: *q5\n" for _ in range(3)),
        "",
        ALIASES,
    ),
    "an alias inside its own anchor": Hostile("a: &a [1, *a]\n", "a[1]", "cycle", 1),
    "a mapping inside itself": Hostile("a: &a {b: *a}\n", "a.b", "cycle", 1),
    "depth through aliases": Hostile(
        "d0: &d0 "
        + "[" * 10
        + "]" * 10
        + "\n"
        + "".join(f"d{i}: &d{i} [*d{i - 1}]\n" for i in range(1, 80)),
        "d",
        DEEP,
    ),
    "laughs as JSON-style flow": Hostile(
        '{"a": &a ["x", "x", "x", "x", "x", "x", "x", "x"], '
        + ", ".join(
            f'"b{i}": &b{i} [' + ", ".join([f"*{'a' if i == 0 else f'b{i - 1}'}"] * 8) + "]"
            for i in range(8)
        )
        + "}\n",
        "b",
        ALIASES,
    ),
}


def _flow(levels: int) -> str:
    return "description: " + "[" * levels + "]" * levels + "\n"


def _flow_map(levels: int) -> str:
    return "description: " + "{a: " * levels + "1" + "}" * levels + "\n"


def _block_list(levels: int) -> str:
    return "description:\n" + "".join("  " * level + "-\n" for level in range(1, levels + 1))


def _block_map(levels: int) -> str:
    return "".join("  " * level + "a:\n" for level in range(levels))


def _json(levels: int, opener: str = "[") -> str:
    closer = "]" if opener == "[" else "}"
    inner = opener if opener == "[" else '{"a": '
    return (
        '{"description": ' + inner * levels + ("" if opener == "[" else "1") + closer * levels + "}"
    )


NESTING: dict[str, Hostile] = {
    "flow lists, 65 levels": Hostile(_flow(65), "description[0]", DEEP, 1),
    "flow lists, 500 levels": Hostile(_flow(500), "description[0]", DEEP, 1),
    "flow lists, 5000 levels": Hostile(_flow(5000), "", "invalid YAML"),
    "flow lists, 100000 levels": Hostile(_flow(100_000), "", "invalid YAML"),
    "flow mappings, 500 levels": Hostile(_flow_map(500), "description.a", DEEP, 1),
    "block lists, 500 levels": Hostile(_block_list(500), "description[0]", DEEP, 65),
    "block mappings, 500 levels": Hostile(_block_map(500), "a.a.a", DEEP, 65),
    "JSON lists, 500 levels": Hostile(_json(500), "description[0]", DEEP, 1),
    "JSON objects, 500 levels": Hostile(_json(500, "{"), "description.a", DEEP, 1),
    "JSON lists, 5000 levels": Hostile(_json(5000), "", "invalid YAML"),
    "JSON lists, 100000 levels": Hostile(_json(100_000), "", "invalid YAML"),
    "deep inside a real field": Hostile(
        STORE + "    name: " + "[" * 300 + "]" * 300 + "\n", "vector_stores[0].name", DEEP, 3
    ),
    "deep inside a file": Hostile(
        BATCH + "            error: " + "{a: " * 200 + "1" + "}" * 200 + "\n",
        "vector_stores[0].file_batches[0].files[0].error",
        DEEP,
        7,
    ),
}

NON_JSON: dict[str, Hostile] = {
    "a date": Hostile(
        STORE + "    created_at: 2024-01-01\n", "vector_stores[0].created_at", "date", 3
    ),
    "a timestamp": Hostile(
        STORE + "    created_at: 2024-01-01T10:00:00Z\n",
        "vector_stores[0].created_at",
        "timestamp",
        3,
    ),
    "a spaced timestamp": Hostile(
        "clock: {start: 2001-12-14 21:59:43.10 -5}\n", "clock.start", "timestamp", 1
    ),
    "an explicit !!timestamp": Hostile(
        'description: !!timestamp "2024-01-01"\n', "description", "date", 1
    ),
    "binary": Hostile("description: !!binary aGVsbG8=\n", "description", "!!binary", 1),
    "a set": Hostile("description: !!set {a, b}\n", "description", "!!set", 1),
    "an ordered map": Hostile("description: !!omap [a: 1, b: 2]\n", "description", "!!omap", 1),
    "pairs": Hostile("description: !!pairs [a: 1, a: 2]\n", "description", "!!pairs", 1),
    "a custom scalar tag": Hostile("description: !thing x\n", "description", "!thing", 1),
    "a custom mapping tag": Hostile("clock: !thing {mode: real}\n", "clock", "!thing", 1),
    "a custom list tag": Hostile(STORE.replace("  - id", "  - !x\n    id"), "vector_stores", "!x"),
    "a python object": Hostile(
        "description: !!python/object/apply:os.system [echo hi]\n", "description", NOT_JSON, 1
    ),
    "a python name": Hostile("description: !!python/name:os.system\n", "description", NOT_JSON),
    "the value key (=)": Hostile("description: =\n", "description", NOT_JSON, 1),
    "a merge key as a value": Hostile("description: <<\n", "description", NOT_JSON, 1),
    "a list as a key": Hostile("? [a, b]\n: 1\n", "", "keys must be plain strings", 1),
    "a date, a set and a mistake": Hostile(
        "description: !!set {a}\nclock: {mode: sideways}\n"
        + STORE
        + "    created_at: 2024-01-01\n",
        "clock.mode",
        "is not one of",
    ),
    "a date in a file, among valid ones": Hostile(
        BATCH + "          - id: file-b\n            created_at: 2024-06-01\n",
        "vector_stores[0].file_batches[0].files[1].created_at",
        "date",
        8,
    ),
}

MERGES: dict[str, Hostile] = {
    "merge, then a bad id": Hostile(
        "x: &f {name: a}\n" + STORE.replace("vs_a", "bad") + "    <<: *f\n",
        "vector_stores[0].id",
        "must be 'vs_'",
        3,
    ),
    "merge brings an unknown key": Hostile(
        "x: &f {colour: blue}\n" + STORE + "    <<: *f\n",
        "vector_stores[0].colour",
        "unknown key",
    ),
    "merge of a list of mappings, one wrong": Hostile(
        "x: &a {name: a}\ny: &b {created_at: soon}\n" + STORE + "    <<: [*a, *b]\n",
        "vector_stores[0].created_at",
        "expected an integer",
    ),
    "merge of a list, not a mapping": Hostile(
        "x: &l [1, 2]\n" + STORE + "    <<: *l\n", "vector_stores[0].<<", "merge key", 1
    ),
    "merge of a scalar": Hostile(STORE + "    <<: 5\n", "vector_stores[0].<<", "merge key", 3),
    "merge in a file with a date": Hostile(
        "x: &slow {processing_seconds: 60}\n"
        + BATCH.replace(
            "file-a\n", "file-a\n            <<: *slow\n            created_at: 2024-01-01\n"
        ),
        "vector_stores[0].file_batches[0].files[0].created_at",
        "date",
    ),
    "merge in a fault with a float status": Hostile(
        "x: &f {operation: cancelVectorStoreFileBatch}\nfaults:\n  - <<: *f\n    status: 503.0\n",
        "faults[0].status",
        "expected an integer",
        4,
    ),
}


def _number_cases() -> dict[str, Hostile]:
    huge = "9" * 5000
    cases = {
        "YAML .nan": Hostile(
            "clock: {mode: virtual, advance_on_poll: .nan}\n",
            "clock.advance_on_poll",
            NOT_FINITE,
            1,
        ),
        "YAML .NaN": Hostile(
            "defaults: {processing_seconds: .NaN}\n", "defaults.processing_seconds", NOT_FINITE, 1
        ),
        "YAML .inf": Hostile(
            "defaults: {processing_seconds: .inf}\n", "defaults.processing_seconds", NOT_FINITE, 1
        ),
        "YAML -.inf": Hostile("clock: {start: -.inf}\n", "clock.start", NOT_FINITE, 1),
        "YAML +.Inf": Hostile(
            FAULT + "status: 500, latency_ms: +.Inf}\n", "faults[0].latency_ms", NOT_FINITE, 2
        ),
        "YAML 1.0e+999": Hostile("clock: {start: 1.0e+999}\n", "clock.start", NOT_FINITE, 1),
        "YAML huge int": Hostile(
            f"journal: {{max_entries: {huge}}}\n", "journal.max_entries", OUT_OF_RANGE, 1
        ),
        "YAML huge negative int": Hostile(
            f"clock: {{start: -{huge}}}\n", "clock.start", OUT_OF_RANGE, 1
        ),
        "YAML huge hex": Hostile(
            f"clock: {{start: 0x{'f' * 4000}}}\n", "clock.start", OUT_OF_RANGE, 1
        ),
        "YAML 2^64": Hostile(f"clock: {{start: {2**64}}}\n", "clock.start", OUT_OF_RANGE, 1),
        "YAML long underscored int": Hostile(
            "clock: {start: " + "1_000" * 40 + "}\n", "clock.start", OUT_OF_RANGE, 1
        ),
        "YAML huge int in a file": Hostile(
            BATCH.replace("file-a\n", f"file-a\n            usage_bytes: {huge}\n"),
            "vector_stores[0].file_batches[0].files[0].usage_bytes",
            OUT_OF_RANGE,
            7,
        ),
        "JSON NaN": Hostile(
            '{"defaults": {"processing_seconds": NaN}}',
            "defaults.processing_seconds",
            "not a JSON number",
            1,
        ),
        "JSON Infinity": Hostile(
            '{"clock": {"advance_on_poll": Infinity}}',
            "clock.advance_on_poll",
            "not a JSON number",
            1,
        ),
        "JSON -Infinity": Hostile(
            '{"clock": {"start": -Infinity}}', "clock.start", "not a JSON number", 1
        ),
        "JSON 1e999": Hostile(
            '{"clock": {"mode": "virtual", "advance_on_poll": 1e999}}',
            "clock.advance_on_poll",
            NOT_FINITE,
            1,
        ),
        "JSON -1e999": Hostile(
            '{"defaults": {"processing_seconds": -1e999}}',
            "defaults.processing_seconds",
            NOT_FINITE,
            1,
        ),
        "JSON huge int": Hostile(
            '{"journal": {"max_entries": ' + huge + "}}", "journal.max_entries", OUT_OF_RANGE, 1
        ),
        "JSON 2^63": Hostile(
            '{"clock": {"start": ' + str(2**63) + "}}", "clock.start", OUT_OF_RANGE, 1
        ),
        "start past year 9999": Hostile(
            "clock: {start: 253402300800}\n", "clock.start", "must be <=", 1
        ),
        "start before 1970": Hostile("clock: {start: -1}\n", "clock.start", "must be >=", 1),
        "created_at of 2^62": Hostile(
            STORE + f"    created_at: {2**62}\n", "vector_stores[0].created_at", "must be <=", 3
        ),
        "advance_on_poll of 1e300": Hostile(
            "clock: {mode: virtual, advance_on_poll: 1.0e+300}\n",
            "clock.advance_on_poll",
            "must be <=",
            1,
        ),
        "processing_seconds of 1e10": Hostile(
            "defaults: {processing_seconds: 10000000001}\n",
            "defaults.processing_seconds",
            "must be <=",
            1,
        ),
        "a file's processing_seconds of 1e12": Hostile(
            BATCH.replace("file-a\n", "file-a\n            processing_seconds: 1.5e+12\n"),
            "vector_stores[0].file_batches[0].files[0].processing_seconds",
            "must be <=",
        ),
        "poll_after_ms of 1e10": Hostile(
            "clock: {poll_after_ms: 10000000000}\n", "clock.poll_after_ms", "must be <=", 1
        ),
        "usage_bytes of 2^60": Hostile(
            BATCH.replace(
                "file-a\n",
                f"file-a\n            status: completed\n            usage_bytes: {2**60}\n",
            ),
            "vector_stores[0].file_batches[0].files[0].usage_bytes",
            "must be <=",
        ),
        "upload bytes of 2^53": Hostile(
            f"files:\n  - bytes: {2**53}\n", "files[0].bytes", "must be <=", 2
        ),
        "journal of a million": Hostile(
            "journal: {max_entries: 1000000}\n", "journal.max_entries", "must be <=", 1
        ),
        "start as a float": Hostile(
            "clock: {start: 1704067200.0}\n", "clock.start", "expected an integer", 1
        ),
        "start as JSON 1.7e9": Hostile('{"clock": {"start": 1.7e9}}', "clock.start", "integer", 1),
        "usage_bytes as a float": Hostile(
            BATCH.replace(
                "file-a\n",
                "file-a\n            status: completed\n            usage_bytes: 1024.0\n",
            ),
            "vector_stores[0].file_batches[0].files[0].usage_bytes",
            "expected an integer",
        ),
        "poll_after_ms as a float": Hostile(
            "clock: {poll_after_ms: 10.0}\n", "clock.poll_after_ms", "expected an integer", 1
        ),
        "max_entries as a float": Hostile(
            "journal: {max_entries: 10.0}\n", "journal.max_entries", "expected an integer", 1
        ),
    }
    return cases


NUMBERS = _number_cases()

# Every numeric field of a fault rule, out of its range (the rule is otherwise valid).
FAULT_FIELDS: dict[str, tuple[str, str]] = {
    "status 503.0": ("status: 503.0", "expected an integer"),
    "status 399": ("status: 399", "must be >="),
    "status 600": ("status: 600", "must be <="),
    "status 2^70": (f"status: {2**70}", OUT_OF_RANGE),
    "status true": ("status: true", "expected an integer"),
    "status as text": ("status: '503'", "expected an integer"),
    "status .nan": ("status: .nan", NOT_FINITE),
    "times 0": ("status: 500, times: 0", "must be >="),
    "times 1e10": ("status: 500, times: 10000000000", "must be <="),
    "times 1.0": ("status: 500, times: 1.0", "expected an integer"),
    "after -1": ("status: 500, after: -1", "must be >="),
    "after 2.0": ("status: 500, after: 2.0", "expected an integer"),
    "after 1e10": ("status: 500, after: 10000000000", "must be <="),
    "probability 1.5": ("status: 500, probability: 1.5", "must be <="),
    "probability -0.1": ("status: 500, probability: -0.1", "must be >="),
    "probability .inf": ("status: 500, probability: .inf", NOT_FINITE),
    "seed -1": ("status: 500, seed: -1", "must be >="),
    "seed 2^60": (f"status: 500, seed: {2**60}", "must be <="),
    "seed 42.0": ("status: 500, seed: 42.0", "expected an integer"),
    "latency_ms 60001": ("latency_ms: 60001", "must be <="),
    "latency_ms -1": ("latency_ms: -1", "must be >="),
    "latency_ms 1e20": ("latency_ms: 1.0e+20", "must be <="),
    "latency_ms -.inf": ("latency_ms: -.inf", NOT_FINITE),
    "jitter_ms 1e9": ("latency_ms: 1, jitter_ms: 1000000000", "must be <="),
    "retry_after_ms 10^30": (f"status: 429, retry_after_ms: {10**30}", OUT_OF_RANGE),
    "retry_after_ms 3600001": ("status: 429, retry_after_ms: 3600001", "must be <="),
    "retry_after_ms -5": ("status: 429, retry_after_ms: -5", "must be >="),
    "retry_after_ms 1000.0": ("status: 429, retry_after_ms: 1000.0", "expected an integer"),
    "a message of 5000 characters": ("status: 500, message: " + "m" * 5000, "at most 4096"),
}

FAULTS: dict[str, Hostile] = {
    f"fault {name}": Hostile(FAULT + fields + "}\n", "faults[0]", words, 2)
    for name, (fields, words) in FAULT_FIELDS.items()
}

ECHOES: dict[str, Hostile] = {
    "a 200 KB id": Hostile(
        "vector_stores:\n  - id: vs_" + "a" * BIG + "\n", "vector_stores[0].id", "characters", 2
    ),
    "a 200 KB unknown key": Hostile("? " + "k" * BIG + "\n: 1\n", "kkkk", "unknown key", 1),
    "a 200 KB unknown key, in JSON": Hostile('{"' + "k" * BIG + '": 1}', "kkkk", "unknown key"),
    "a 200 KB operation": Hostile(
        "faults:\n  - {status: 500, operation: " + "o" * BIG + "}\n",
        "faults[0].operation",
        "characters",
        2,
    ),
    "a 200 KB clock mode": Hostile(
        "clock: {mode: " + "m" * BIG + "}\n", "clock.mode", "characters", 1
    ),
    "a 200 KB number-looking text": Hostile(
        "clock: {start: '" + "1" * BIG + "'}\n", "clock.start", "characters", 1
    ),
    "a 200 KB tag": Hostile("description: !" + "t" * BIG + " x\n", "description", NOT_JSON, 1),
    "a 200 KB undefined alias": Hostile("description: *" + "a" * BIG + "\n", "", "invalid YAML"),
    "a 200 KB date-like key": Hostile(
        STORE + "    ? " + "c" * BIG + "\n    : 2024-01-01\n", "vector_stores[0].", "date", 4
    ),
    "a 200 KB error message in a file": Hostile(
        BATCH.replace(
            "file-a\n", "file-a\n            error: {code: nope, message: " + "e" * BIG + "}\n"
        ),
        "vector_stores[0].file_batches[0].files[0].error.code",
        "is not one of",
    ),
    "a 200 KB duplicate key": Hostile(
        "? " + "d" * BIG + "\n: 1\n? " + "d" * BIG + "\n: 2\n", "dddd", "duplicate key", 3
    ),
    "100,000 unknown keys": Hostile(
        "".join(f"k{i}: 1\n" for i in range(100_000)), "k", "unknown key"
    ),
    "100,000 bad files": Hostile(
        STORE
        + "    file_batches:\n"
        + "".join("      - files: [" + ", ".join(["{id: bad}"] * 2000) + "]\n" for _ in range(50)),
        "vector_stores[0].file_batches[0].files[0].id",
        "must be 'file-'",
    ),
}

ALL: dict[str, Hostile] = {
    **{f"bomb: {name}": case for name, case in BOMBS.items()},
    **{f"nesting: {name}": case for name, case in NESTING.items()},
    **{f"not JSON: {name}": case for name, case in NON_JSON.items()},
    **{f"merge: {name}": case for name, case in MERGES.items()},
    **{f"number: {name}": case for name, case in NUMBERS.items()},
    **FAULTS,
    **{f"echo: {name}": case for name, case in ECHOES.items()},
}

# A refusal's message stays small whatever the input: at most 50 problems,
# each value and key cut to 64 characters.
MAX_MESSAGE_CHARACTERS = 50 * 600
