"""A small JSON Schema checker for what our OpenAPI document uses (no library is installed):
type (one or a list), enum, const, minimum, maximum, pattern, required, properties,
additionalProperties, items, oneOf, $ref, dependentSchemas, not.

Strict where the document is loose by JSON Schema's default: a property an object schema does
not declare is an error unless the schema allows more (additionalProperties), so a response
field the document forgot is found.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["problems"]

_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        node: Any = doc
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _kind_ok(kind: str | list[str] | None, value: Any) -> bool:
    if isinstance(kind, list):  # any of them ("type": ["integer", "string"])
        return any(_kind_ok(one, value) for one in kind)
    if kind in _TYPES:
        return isinstance(value, _TYPES[kind])
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return True


def problems(doc: dict, schema: dict, value: Any, where: str = "$") -> list[str]:
    """What is wrong with `value` against `schema` (a node of `doc`): [] when it conforms."""
    schema = _resolve(doc, schema)
    if not _kind_ok(schema.get("type"), value):
        return [f"{where}: not {schema['type']}: {json.dumps(value, ensure_ascii=False)[:60]}"]
    out = []
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: {value!r} not one of {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        out.append(f"{where}: {value!r} is not {schema['const']!r}")
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if "minimum" in schema and number and value < schema["minimum"]:
        out.append(f"{where}: {value} under {schema['minimum']}")
    if "maximum" in schema and number and value > schema["maximum"]:
        out.append(f"{where}: {value} over {schema['maximum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        out.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if "oneOf" in schema:
        fits = [b for b in schema["oneOf"] if not problems(doc, b, value, where)]
        if len(fits) != 1:
            out.append(f"{where}: fits {len(fits)} of oneOf, not one")
    if "not" in schema and not problems(doc, schema["not"], value, where):
        out.append(f"{where}: fits what it must not: {json.dumps(schema['not'])[:80]}")
    if isinstance(value, dict):
        out += [f"{where}: no {key}" for key in schema.get("required", []) if key not in value]
        for key, also in schema.get("dependentSchemas", {}).items():
            if key in value:
                out += problems(doc, also, value, where)
    if isinstance(value, dict) and schema.get("type") == "object":
        declared = schema.get("properties", {})
        more = schema.get("additionalProperties")
        for key, item in value.items():
            if key in declared:
                out += problems(doc, declared[key], item, f"{where}.{key}")
            elif isinstance(more, dict):
                out += problems(doc, more, item, f"{where}.{key}")
            elif more is not True:
                out.append(f"{where}: {key} is not in the schema")
    if isinstance(value, list) and schema.get("type") == "array":
        for i, item in enumerate(value):
            out += problems(doc, schema.get("items", {}), item, f"{where}[{i}]")
    return out
