"""The OpenAPI 3.1 document of the HTTP API, generated from the proto's descriptors.

The proto stays the one schema: every route's request and response schema, and the error body
(google.rpc.Status), come from the message descriptors, so a field added to the proto appears
here by itself. A schema's description names its proto message only: the generated Python
descriptors carry no comments, so the field docs stay in protos/ (and docs/http.md).
"""

from __future__ import annotations

import json
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.rpc import error_details_pb2, status_pb2

from .._proto.newsdesk.v1 import newsdesk_pb2 as pb
from ..review import LOW_SCORE, THIN_TEXT
from ..rpc.wire import ARTICLE_FIELDS
from ..validation import MAX_LEAD_SENTENCES, MAX_TERMS

__all__ = ["document", "document_bytes", "limits_of"]

_SCALARS = {
    FieldDescriptor.TYPE_STRING: {"type": "string"},
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_FLOAT: {"type": "number", "format": "float"},
    FieldDescriptor.TYPE_DOUBLE: {"type": "number", "format": "double"},
    FieldDescriptor.TYPE_INT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_UINT32: {
        "type": "integer",
        "format": "int64",
        "minimum": 0,
        "maximum": 2**32 - 1,
    },
    FieldDescriptor.TYPE_SINT32: {"type": "integer", "format": "int32"},
    # 64-bit integers are strings in the proto JSON mapping
    FieldDescriptor.TYPE_INT64: {"type": "string", "format": "int64"},
    FieldDescriptor.TYPE_UINT64: {"type": "string", "format": "uint64"},
    FieldDescriptor.TYPE_BYTES: {"type": "string", "format": "byte"},
}

_SUMMARIES = {
    "Classify": "Label each article by desk (with evidence and keywords when asked).",
    "Summarise": "Write an extractive lead for each article.",
    "AnalysePage": "Split a raw page into articles, then label and summarise each one.",
    "GetModel": "Describe the model now serving.",
}


# The words a string field can hold, where the server has a fixed set ("label": the model's).
_WORDS: dict[str, Any] = {
    "newsdesk.v1.Classification.review_reasons": [LOW_SCORE, THIN_TEXT],
    "newsdesk.v1.Evidence.field": list(ARTICLE_FIELDS),
    "newsdesk.v1.Keyword.field": list(ARTICLE_FIELDS),
    "google.rpc.Status.code": list(range(17)),  # google.rpc.Code, OK to UNAUTHENTICATED
}
# The fixed bounds the server checks a count against (service/validation.py), so a client
# generated from the document knows them; the flags' limits (--max-articles …) vary by server.
_MOST = {
    **{
        f"newsdesk.v1.{m}.{f}": MAX_TERMS
        for m in ("ClassifyRequest", "AnalysePageRequest")
        for f in ("explain", "keywords")
    },  # fmt: skip
    "newsdesk.v1.SummaryOptions.max_sentences": MAX_LEAD_SENTENCES,
}
# What a request must hold (the server refuses it without: "no articles", "text is empty").
_NEEDED = {
    "newsdesk.v1.ClassifyRequest": ["articles"],
    "newsdesk.v1.SummariseRequest": ["articles"],
    "newsdesk.v1.AnalysePageRequest": ["text"],
    "newsdesk.v1.Article": ["text"],
}
_LABELLED = ("Classification.label", "LabelScore.label", "Evidence.label", "ModelInfo.labels")
# The details a Status carries here (service.rpc.status), each with its "@type".
_DETAILS = (error_details_pb2.BadRequest.DESCRIPTOR, error_details_pb2.ErrorInfo.DESCRIPTOR)


def _name(descriptor: Descriptor) -> str:
    return descriptor.full_name


def _detail(message: Descriptor, wanted: list[Descriptor]) -> dict[str, Any]:
    """A google.protobuf.Any holding `message`: its "@type", then the message's fields."""
    url = f"type.googleapis.com/{message.full_name}"
    properties = {f.name: _field_schema(f, wanted) for f in message.fields}
    return {"type": "object", "properties": {"@type": {"const": url}, **properties},
            "required": ["@type", *_printed(message)]}  # fmt: skip


def _printed(message: Descriptor) -> list[str]:
    """The fields the server always writes: all but a message field, there only when set."""
    return [
        f.name
        for f in message.fields
        if f.message_type is None or f.is_repeated or f.message_type.GetOptions().map_entry
    ]


def _field_schema(field: FieldDescriptor, wanted: list[Descriptor]) -> dict[str, Any]:
    if field.message_type is not None and field.message_type.GetOptions().map_entry:
        value = _field_schema(field.message_type.fields_by_name["value"], wanted)
        return {"type": "object", "additionalProperties": value}
    if field.message_type is not None:
        if field.message_type.full_name == "google.protobuf.Any":
            schema: dict[str, Any] = {"oneOf": [_detail(d, wanted) for d in _DETAILS]}
        else:
            wanted.append(field.message_type)
            schema = {"$ref": f"#/components/schemas/{_name(field.message_type)}"}
    elif field.enum_type is not None:
        schema = {"type": "string", "enum": [v.name for v in field.enum_type.values]}
    else:
        schema = dict(_SCALARS[field.type])
        if field.full_name in _WORDS:
            schema["enum"] = _WORDS[field.full_name]
        if field.full_name in _MOST:
            schema["maximum"] = _MOST[field.full_name]
    if field.is_repeated:
        return {"type": "array", "items": schema}
    return schema


# A 32-bit integer the server reads may come as a string of digits: the proto JSON mapping
# takes "3" for 3 (json_format does), so {"explain": "3"} is answered; the document says so.
_COUNTS = (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32)
_DIGITS = {
    "type": ["integer", "string"],
    "pattern": "^[0-9]+$",  # (JSON Schema: for a string only; `maximum` for a number only)
    "description": 'an integer, or (proto JSON mapping) a string of its decimal digits, "3"',
}


def _read(schema: dict[str, Any], message: Descriptor, held: list[Descriptor]) -> None:
    """A message the server reads, as gateway.parse reads it: each field by its proto name or
    its lowerCamel JSON name, never both (400), and no other key (json_format: 400); an
    integer as a number or a string of digits (`_DIGITS`)."""
    properties, either = schema["properties"], {}
    for f in message.fields:
        if f.type in _COUNTS and not f.is_repeated:
            properties[f.name] = {**properties[f.name], **_DIGITS}
        if f.json_name != f.name:
            alias = f"{f.name} by its lowerCamel name (proto JSON mapping): one of the two"
            if "description" in properties[f.name]:
                alias += f"; {properties[f.name]['description']}"
            properties[f.json_name] = {**properties[f.name], "description": alias}
            either[f.name] = {"not": {"required": [f.json_name]}}  # fmt: skip
    schema["additionalProperties"] = False
    if either:
        schema["dependentSchemas"] = either
    schema["description"] += (" or lowerCamel names (one of the two); any other key is refused, "
                              "400 naming it")  # fmt: skip


def _schemas(roots: list[Descriptor], outputs: set[str]) -> dict[str, Any]:
    """Schemas of `roots` and what they hold. A message the server writes (a name in `outputs`,
    or held by one) lists as required every field it always prints: all but a message field,
    which is there only when set (render prints fields at their defaults); one it reads (any
    other) is closed, and names its fields' lowerCamel aliases (`_read`)."""
    out: dict[str, Any] = {}
    wanted = list(roots)
    while wanted:
        message = wanted.pop()
        if _name(message) in out:
            continue
        held: list[Descriptor] = []
        properties = {f.name: _field_schema(f, held) for f in message.fields}
        wanted += held
        schema: dict[str, Any] = {
            "type": "object",
            "properties": properties,
            "description": f"proto message {message.full_name}; fields by their proto names",
        }
        if _name(message) in outputs:
            schema["required"] = _printed(message)
        else:
            _read(schema, message, held)
            if _name(message) in _NEEDED:
                schema["required"] = _NEEDED[_name(message)]
        out[_name(message)] = schema
    return dict(sorted(out.items()))


def _held(roots: list[Descriptor]) -> set[str]:
    """The names of `roots` and of every message they hold, however deep."""
    seen: set[str] = set()
    wanted = list(roots)
    while wanted:
        message = wanted.pop()
        if _name(message) not in seen:
            seen.add(_name(message))
            _ = [_field_schema(f, wanted) for f in message.fields]
    return seen


def _labelled(schemas: dict[str, Any], labels: tuple[str, ...]) -> None:
    """The model's labels as the enum of every field naming one (none known: any string)."""
    for where in _LABELLED if labels else ():
        message, _, field = where.partition(".")
        schema = schemas[f"newsdesk.v1.{message}"]["properties"][field]
        (schema.get("items") or schema)["enum"] = list(labels)


# The caller's deadline (service.http.caller.TIMEOUT_HEADER), on every POST route.
TIMEOUT_PARAMETER = {
    "name": "X-Server-Timeout",
    "in": "header",
    "required": False,
    "description": "seconds the server may spend on this request once it is read; past them it "
    "stops between chunks of articles and answers 504 DEADLINE_EXCEEDED (none: no deadline)",
    "schema": {"type": "number", "exclusiveMinimum": 0},
}


def _probes(labels: tuple[str, ...]) -> dict[str, Any]:
    """/healthz and /readyz: their bodies as service.http.probes writes them."""

    def body(status: dict[str, Any], **more: Any) -> dict[str, Any]:
        schema = {"type": "object", "properties": {"status": status, **more},
                  "required": ["status", *more]}  # fmt: skip
        return {"content": {"application/json": {"schema": schema}}}

    label = {"type": "string", **({"enum": list(labels)} if labels else {})}
    text = {"type": "string"}
    ready = body({"const": "ready"}, model=text, version=text,
                 probe_ms={"type": "number", "minimum": 0}, probe_label=label)  # fmt: skip
    not_ready = body({"type": "string", "description": "stopping, loading (the first load "
                      "runs), no model loaded (it failed), or why the model does not "
                      "answer"})  # fmt: skip
    not_ready["content"]["application/json"]["schema"]["properties"]["model"] = text
    return {
        "/healthz": {"get": {"operationId": "healthz", "summary": "the process serves",
                             "responses": {
            "200": {"description": "serving", **body({"const": "ok"})},
            "503": {"description": "stopping", **body({"const": "stopping"})}}}},
        "/readyz": {"get": {"operationId": "readyz", "summary": "a model is loaded and answers a "
                            "classification now", "responses": {
            "200": {"description": "ready: the probe's time and label", **ready},
            "503": {"description": "not ready, and why", **not_ready}}}},
    }  # fmt: skip


def limits_of(config: Any) -> dict[str, int]:
    """A server config's limits on what it reads, as `_limited` puts them in the document."""
    names = ("max_chars", "max_page_chars", "max_articles", "max_message_bytes")
    return {name: getattr(config, name) for name in names}


def _limited(schemas: dict[str, Any], paths: dict[str, Any], limits: dict[str, int]) -> None:
    """This server's flags' limits (service.rpc.config's names), so a client (the newsroom
    page) can check a request before sending what the server must refuse: text lengths in code
    points, as the server counts them, articles per request, and a body's bytes."""
    for field in ("text", "title", "kicker", "subtitle"):
        schemas["newsdesk.v1.Article"]["properties"][field]["maxLength"] = limits["max_chars"]
    for name in ("max_chars", "maxChars"):  # (its lowerCamel alias: the same bound)
        schemas["newsdesk.v1.SummaryOptions"]["properties"][name]["maximum"] = limits["max_chars"]
    page = schemas["newsdesk.v1.AnalysePageRequest"]["properties"]["text"]
    page["maxLength"] = limits["max_page_chars"]
    for name in ("ClassifyRequest", "SummariseRequest"):
        schemas[f"newsdesk.v1.{name}"]["properties"]["articles"]["maxItems"] = limits[
            "max_articles"
        ]
    for operation in (op for item in paths.values() for op in item.values()):
        if "requestBody" in operation:  # --max-message-bytes: a larger body is 413
            operation["requestBody"]["x-max-bytes"] = limits["max_message_bytes"]


def document(
    routes: dict[str, Any], labels: tuple[str, ...] = (), limits: dict[str, int] | None = None
) -> dict[str, Any]:
    """OpenAPI for `routes` (path → Route with verb, rpc, request) plus the open routes;
    `labels` (the model's) are the enum of every label field, `limits` (the server's
    max_chars, max_page_chars, max_articles, max_message_bytes) bound what it reads."""
    service = pb.DESCRIPTOR.services_by_name["NewsDesk"]
    roots: list[Descriptor] = [status_pb2.Status.DESCRIPTOR]
    outputs = [status_pb2.Status.DESCRIPTOR]
    status_ref = {"$ref": "#/components/schemas/google.rpc.Status"}
    error = {
        "description": "an error: HTTP status from the gRPC code as grpc-gateway maps it "
        "(400 INVALID_ARGUMENT / FAILED_PRECONDITION, 401, 411 no Content-Length, 413 body too "
        "large, 415 a compressed body or one not application/json, 429, 500, 501, 503 stopping "
        "or busy, 504 the X-Server-Timeout passed), "
        "body a google.rpc.Status with google.rpc.BadRequest (the field) and ErrorInfo details",
        "content": {"application/json": {"schema": status_ref}},
    }
    paths: dict[str, Any] = {}
    for path, route in routes.items():
        method = service.methods_by_name[route.rpc]
        roots += [method.input_type, method.output_type]
        outputs.append(method.output_type)
        operation: dict[str, Any] = {
            "operationId": route.rpc,
            "summary": _SUMMARIES.get(route.rpc, route.rpc),
            "description": f"newsdesk.v1.NewsDesk/{route.rpc} over HTTP/JSON",
            "security": [{"bearer": []}, {}],
            "responses": {
                "200": {
                    "description": f"a {method.output_type.full_name}",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{_name(method.output_type)}"}
                        }
                    },
                },  # fmt: skip
                "default": error,
            },
        }
        if route.verb == "POST":
            operation["parameters"] = [TIMEOUT_PARAMETER]
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{_name(method.input_type)}"}
                }},
            }  # fmt: skip
        paths[path] = {route.verb.lower(): operation}
    paths.update(_probes(labels))
    paths["/v1/openapi.json"] = {
        "get": {
            "operationId": "openapi",
            "summary": "this document",
            "responses": {"200": {"description": "OpenAPI 3.1"}},
        }
    }
    paths["/"] = {"get": {"operationId": "newsroom", "summary": "the newsroom page (HTML)",
                          "responses": {"200": {"description": "text/html"}}}}  # fmt: skip
    schemas = _schemas(roots, _held(outputs))
    _labelled(schemas, labels)
    if limits:
        _limited(schemas, paths, limits)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "newsdesk HTTP/JSON",
            "version": "v1",
            "description": "The newsdesk.v1 gRPC service over HTTP/JSON: bodies are the proto's "
            "JSON mapping (protos/newsdesk/v1/newsdesk.proto), proto field names on output, "
            "proto or lowerCamel names on input. See docs/http.md.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "needed when the server has --token",
                }
            },
        },  # fmt: skip
    }


def document_bytes(
    routes: dict[str, Any], labels: tuple[str, ...] = (), limits: dict[str, int] | None = None
) -> bytes:
    doc = document(routes, labels, limits)
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
