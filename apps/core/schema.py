"""OpenAPI: make the schema describe the envelope that the renderer actually sends.

The postprocessing hook wraps every 2xx JSON body in the success envelope (paginated bodies are
already wrapped by EnvelopePagination.get_paginated_response_schema) and documents the error
envelope for the statuses any operation can return.
"""

from apps.core.pagination import MAX_PER_PAGE

ERROR_STATUSES = {
    "400": "Invalid input (field details in error.details).",
    "401": "Missing, expired or invalid credentials.",
    "403": "Not allowed.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "Conflict with the current state.",
    "413": "Request body too large.",
    "415": "Unsupported media type.",
    "429": "Too many requests; see Retry-After.",
    "503": "A dependency is unavailable.",
}

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {},
                "request_id": {"type": "string", "nullable": True},
            },
        },
    },
}

PAGINATION = {
    "type": "object",
    "required": ["page", "per_page", "total", "pages"],
    "properties": {
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "total": {"type": "integer", "minimum": 0},
        "pages": {"type": "integer", "minimum": 0},
    },
}


def _is_enveloped(schema: dict, schemas: dict | None = None) -> bool:
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/") and schemas is not None:
        # Paginated lists are components (PaginatedXList) that are enveloped already.
        schema = schemas.get(ref.rsplit("/", 1)[-1], {})
    return "success" in schema.get("properties", {})


def _wrap(schema: dict) -> dict:
    return {
        "type": "object",
        "required": ["success", "data", "message"],
        "properties": {
            "success": {"type": "boolean", "enum": [True]},
            "data": schema,
            "message": {"type": "string"},
        },
    }


def envelope_postprocessing_hook(result, generator, request, public):
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["ErrorEnvelope"] = ERROR_ENVELOPE
    schemas["Pagination"] = PAGINATION
    responses = components.setdefault("responses", {})
    for status, description in ERROR_STATUSES.items():
        responses[f"Error{status}"] = {
            "description": description,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}
            },
        }

    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            op_responses = operation.setdefault("responses", {})
            for status, response in op_responses.items():
                if not status.startswith("2"):
                    continue
                content = response.get("content", {}).get("application/json")
                if (
                    content
                    and "schema" in content
                    and not _is_enveloped(content["schema"], schemas)
                ):
                    content["schema"] = _wrap(content["schema"])
            for status in ERROR_STATUSES:
                op_responses.setdefault(status, {"$ref": f"#/components/responses/Error{status}"})
    return result
