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
from google.rpc import status_pb2

from .._proto.newsdesk.v1 import newsdesk_pb2 as pb

__all__ = ["document", "document_bytes"]

_SCALARS = {
    FieldDescriptor.TYPE_STRING: {"type": "string"},
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_FLOAT: {"type": "number", "format": "float"},
    FieldDescriptor.TYPE_DOUBLE: {"type": "number", "format": "double"},
    FieldDescriptor.TYPE_INT32: {"type": "integer", "format": "int32"},
    FieldDescriptor.TYPE_UINT32: {"type": "integer", "format": "int64", "minimum": 0},
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


def _name(descriptor: Descriptor) -> str:
    return descriptor.full_name


def _field_schema(field: FieldDescriptor, wanted: list[Descriptor]) -> dict[str, Any]:
    if field.message_type is not None:
        if field.message_type.full_name == "google.protobuf.Any":
            schema: dict[str, Any] = {
                "type": "object",
                "properties": {"@type": {"type": "string"}},
                "required": ["@type"],
                "additionalProperties": True,
            }
        else:
            wanted.append(field.message_type)
            schema = {"$ref": f"#/components/schemas/{_name(field.message_type)}"}
    elif field.enum_type is not None:
        schema = {"type": "string", "enum": [v.name for v in field.enum_type.values]}
    else:
        schema = dict(_SCALARS[field.type])
    if field.is_repeated:
        return {"type": "array", "items": schema}
    return schema


def _schemas(roots: list[Descriptor]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    wanted = list(roots)
    while wanted:
        message = wanted.pop()
        if _name(message) in out:
            continue
        properties = {f.name: _field_schema(f, wanted) for f in message.fields}
        out[_name(message)] = {
            "type": "object",
            "properties": properties,
            # input also accepts lowerCamelCase names (the proto JSON mapping's json_name)
            "description": f"proto message {message.full_name}; fields by their proto names",
        }
    return dict(sorted(out.items()))


# The caller's deadline (service.http.caller.TIMEOUT_HEADER), on every POST route.
TIMEOUT_PARAMETER = {
    "name": "X-Server-Timeout",
    "in": "header",
    "required": False,
    "description": "seconds the server may spend on this request once it is read; past them it "
    "stops between chunks of articles and answers 504 DEADLINE_EXCEEDED (none: no deadline)",
    "schema": {"type": "number", "exclusiveMinimum": 0},
}


def document(routes: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI for `routes` (path → Route with verb, rpc, request) plus the open routes."""
    service = pb.DESCRIPTOR.services_by_name["NewsDesk"]
    roots: list[Descriptor] = [status_pb2.Status.DESCRIPTOR]
    status_ref = {"$ref": "#/components/schemas/google.rpc.Status"}
    error = {
        "description": "an error: HTTP status from the gRPC code as grpc-gateway maps it "
        "(400 INVALID_ARGUMENT / FAILED_PRECONDITION, 401, 413 body too large, 429, 500, "
        "504 the X-Server-Timeout passed), "
        "body a google.rpc.Status with google.rpc.BadRequest (the field) and ErrorInfo details",
        "content": {"application/json": {"schema": status_ref}},
    }
    paths: dict[str, Any] = {}
    for path, route in routes.items():
        method = service.methods_by_name[route.rpc]
        roots += [method.input_type, method.output_type]
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
    probe = {"type": "object", "properties": {"status": {"type": "string"}}}
    for path, what in (
        ("/healthz", "the process serves (200), or is stopping (503)"),
        ("/readyz", "a model is loaded and answers a classification now (200), else 503"),
    ):
        paths[path] = {"get": {"operationId": path.strip("/"), "summary": what, "responses": {
            "200": {"description": what, "content": {"application/json": {"schema": probe}}},
            "503": {"description": "not ready", "content": {"application/json": {
                "schema": probe}}},
        }}}  # fmt: skip
    paths["/v1/openapi.json"] = {
        "get": {
            "operationId": "openapi",
            "summary": "this document",
            "responses": {"200": {"description": "OpenAPI 3.1"}},
        }
    }
    paths["/"] = {"get": {"operationId": "newsroom", "summary": "the newsroom page (HTML)",
                          "responses": {"200": {"description": "text/html"}}}}  # fmt: skip
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
            "schemas": _schemas(roots),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "needed when the server has --token",
                }
            },
        },  # fmt: skip
    }


def document_bytes(routes: dict[str, Any]) -> bytes:
    return json.dumps(document(routes), ensure_ascii=False, indent=1).encode("utf-8")
