"""One rule for an end user's id: the domain's ``end_user_problem`` and the
scenario schema's ``end_user`` pattern accept exactly the same ids."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import jsonschema
import jsonschema_rs
import pytest

from fake_server.contract.resources import schema_path
from fake_server.domain.permissions import end_user_problem

ACCEPTED = ["bob", "bob smith", "Zoë", "user-42", "ユーザー", "a.b@c", "x" * 256, "b\u00a0o b"]
REFUSED = [
    "",
    " ",
    "bob ",
    " bob",
    "bob\t",
    "\tbob",
    "bob\r\nX-Evil: 1",
    "bob\n",
    "\u0000",
    "a\u0000b",
    "a\u200bb",
    "\ufeffbob",
    "bob\u2028",
    "a\u2029b",
    "bob\u00a0",
    "\u3000bob",
    "a\u202eb",
    "a\u0085b",
    "a\x7fb",
    "a,b",
    "a/b",
    "a\U000e0001b",
]


def end_user_schema() -> dict[str, Any]:
    schema = json.loads(schema_path("scenario.schema.json").read_text(encoding="utf-8"))
    definition: dict[str, Any] = schema["$defs"]["end_user"]
    return {
        "type": "string",
        "maxLength": definition["maxLength"],
        "pattern": definition["pattern"],
    }


@pytest.mark.parametrize("end_user", ACCEPTED)
def test_an_id_a_header_can_carry_is_accepted_everywhere(end_user: str) -> None:
    schema = end_user_schema()
    assert end_user_problem(end_user) is None
    assert jsonschema_rs.validator_for(schema).is_valid(end_user)
    assert jsonschema.Draft202012Validator(schema).is_valid(end_user)


@pytest.mark.parametrize("end_user", REFUSED)
def test_an_id_no_header_can_carry_is_refused_everywhere(end_user: str) -> None:
    schema = end_user_schema()
    assert end_user_problem(end_user) is not None
    assert not jsonschema_rs.validator_for(schema).is_valid(end_user)
    assert not jsonschema.Draft202012Validator(schema).is_valid(end_user)


def characters_to_try() -> list[str]:
    """Every character some rule names (controls, format characters, separators,
    spaces, ',' and '/'), and a spread of the others."""
    named = {"Cc", "Cf", "Zl", "Zp", "Zs"}
    chars = []
    for code in range(0x110000):  # bounded: every code point once
        if 0xD800 <= code <= 0xDFFF:
            continue  # lone surrogates are no text a header or a scenario can hold
        char = chr(code)
        if unicodedata.category(char) in named or char.isspace() or code % 251 == 0:
            chars.append(char)
    return [*chars, ",", "/"]


def test_the_pattern_and_the_domain_agree_on_every_character_where_it_stands() -> None:
    pattern = re.compile(end_user_schema()["pattern"])
    validator = jsonschema_rs.validator_for(end_user_schema())
    disagreements = []
    for char in characters_to_try():
        for end_user in (char, f"a{char}", f"{char}a", f"a{char}a"):
            domain = end_user_problem(end_user) is None
            if domain != validator.is_valid(end_user) or domain != bool(pattern.search(end_user)):
                disagreements.append(end_user)
    assert disagreements == []
