"""OpenAPI: make the schema describe what the server actually sends and accepts.

The envelope hook wraps every 2xx JSON body in the success envelope (paginated bodies are
already wrapped by EnvelopePagination.get_paginated_response_schema) and documents the error
envelope for the statuses any operation can return. Every 429 documents its Retry-After header;
an operation that may make the server call TMDb (``extend_schema(extensions=REACHES_TMDB)``)
gets the 429 of the ``tmdb`` throttle and the 503 of TMDb being unavailable instead of the
generic ones. The text parameter hook says of every free text path or query parameter that
control characters are refused (the request context middleware answers them with a 400).
``filter_documented`` gives a django-filter filter the bounds its form field enforces.
"""

from drf_spectacular.utils import extend_schema_field

from apps.core.pagination import MAX_PER_PAGE

# No C0 control character and no DEL: apps.core.middleware refuses them in a path or query.
NO_CONTROL_CHARACTERS = "^[^\\x00-\\x1f\\x7f]*$"
# No NUL: every DRF CharField of a request body refuses it (PostgreSQL cannot store it).
NO_NUL = "^[^\\x00]*$"

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

# Mark an operation whose request may make the server call TMDb: extend_schema(extensions=...).
REACHES_TMDB = {"x-reaches-tmdb": True}
# Statuses whose answer differs on such operations, by the component they refer to instead.
TMDB_ERROR_STATUSES = {
    "429": (
        "Error429TMDb",
        "Too many requests that need TMDb from this client (the tmdb throttle, THROTTLE_TMDB;"
        " code throttled); see Retry-After. Requests answered from our data do not count.",
    ),
    "503": (
        "Error503TMDb",
        "TMDb is needed and cannot answer: unconfigured, down, slow, rate limiting, or the"
        " breaker is open (code tmdb_unavailable).",
    ),
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    }
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
    named = {f"Error{status}": (status, text) for status, text in ERROR_STATUSES.items()}
    named.update({name: (status, text) for status, (name, text) in TMDB_ERROR_STATUSES.items()})
    for name, (status, description) in named.items():
        responses[name] = {
            "description": description,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}
            },
        }
        if status == "429":
            responses[name]["headers"] = RETRY_AFTER

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
            reaches_tmdb = operation.get("x-reaches-tmdb", False)
            for status in ERROR_STATUSES:
                name = f"Error{status}"
                if reaches_tmdb and status in TMDB_ERROR_STATUSES:
                    name = TMDB_ERROR_STATUSES[status][0]
                op_responses.setdefault(status, {"$ref": f"#/components/responses/{name}"})
    return result


def text_parameter_postprocessing_hook(result, generator, request, public):
    """Every string path or query parameter without an enum or a pattern of its own gets
    NO_CONTROL_CHARACTERS as its pattern, every string field of a request body NO_NUL."""
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if (
                    parameter.get("in") in {"path", "query"}
                    and schema.get("type") == "string"
                    and "enum" not in schema
                    and "pattern" not in schema
                ):
                    schema["pattern"] = NO_CONTROL_CHARACTERS
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):  # the request side of COMPONENT_SPLIT_REQUEST
            for field in component.get("properties", {}).values():
                for schema in (field, field.get("items", {})):
                    if schema.get("type") == "string" and not {"enum", "pattern"} & set(schema):
                        schema["pattern"] = NO_NUL
    return result


def filter_documented(filter_field, **schema):
    """The django-filter filter, documented with the bounds its form field enforces
    (``min_value``, ``max_value``, ``max_length``), plus ``schema`` (a pattern, a type)."""
    extra = filter_field.extra
    document = {"type": "string"}
    field_class = getattr(filter_field, "field_class", None)
    if field_class is not None and field_class.__name__ == "IntegerField":
        document = {"type": "integer"}
    elif field_class is not None and field_class.__name__ == "DecimalField":
        document = {"type": "number"}
    for keyword, name in (
        ("min_value", "minimum"),
        ("max_value", "maximum"),
        ("max_length", "maxLength"),
    ):
        if extra.get(keyword) is not None:
            document[name] = extra[keyword]
    if extra.get("help_text"):
        document["description"] = str(extra["help_text"])
    document.update(schema)
    return extend_schema_field(document)(filter_field)
