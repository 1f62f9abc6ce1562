"""The OpenAPI 3 document, generated from the endpoints registered with ``api_route`` and their schemas."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from ..core.inputs import DB_INT_MAX
from .core import PATH_ARG, REGISTRY, page_schema
from .schemas import ErrorSchema, openapi_bounds

ERROR_TEXT = {
    400: "Yêu cầu không hợp lệ",
    401: "Chưa xác thực",
    403: "Không có quyền",
    404: "Không tìm thấy",
    409: "Xung đột trạng thái, hoặc dữ liệu vừa được người khác thay đổi",
    422: "Dữ liệu không hợp lệ",
}


def _resolver(schema) -> str:
    cls = schema if isinstance(schema, type) else schema.__class__
    name = cls.__name__
    return name.removesuffix("Schema") or name


def build_spec() -> dict:
    marshmallow = MarshmallowPlugin(schema_name_resolver=_resolver)
    spec = APISpec(
        title="Đối thoại API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[marshmallow],
        info={"description": "API cho các buổi tiếp xúc, đối thoại trực tiếp (xem shared/API.md)."},
        servers=[{"url": "/api/v1"}],
    )
    marshmallow.converter.add_attribute_function(openapi_bounds)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorSchema)
    paths: dict[str, dict] = {}
    for endpoint in REGISTRY:
        path = PATH_ARG.sub(lambda m: "{" + m.group(2) + "}", endpoint.rule)
        for method in endpoint.methods:
            operation: dict = {
                "summary": endpoint.summary,
                "operationId": f"{endpoint.view.__name__}_{method.lower()}",
                "security": [{"bearer": []}],
                "responses": {},
            }
            if endpoint.tags:
                operation["tags"] = list(endpoint.tags)
            if endpoint.access.kind == "roles":
                operation["description"] = "Vai trò: " + ", ".join(endpoint.access.roles)
            parameters = [
                {
                    "in": "path",
                    "name": m.group(2),
                    "required": True,
                    "schema": {"type": "integer", "minimum": 0, "maximum": DB_INT_MAX}
                    if m.group(1) == "int"
                    else {"type": "string"},
                }
                for m in PATH_ARG.finditer(endpoint.rule)
            ]
            if endpoint.query is not None:
                parameters.append({"in": "query", "schema": endpoint.query})
            if endpoint.idempotent and method == "POST":
                parameters.append(
                    {"in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string"}}
                )
            if parameters:
                operation["parameters"] = parameters
            if endpoint.body is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": endpoint.body}},
                }
            if endpoint.produces != "application/json":
                ok = {
                    "description": "OK",
                    "content": {endpoint.produces: {"schema": {"type": "string", "format": "binary"}}},
                }
            elif endpoint.response is not None:
                schema = page_schema(endpoint.response) if endpoint.paginated else endpoint.response
                ok = {"description": "OK", "content": {"application/json": {"schema": schema}}}
            else:
                ok = {"description": "OK"}
            operation["responses"][str(endpoint.status)] = ok
            # Every call may be refused (401, 403, 422) or name an object that isn't there, in its path, its query
            # or its body (404); a write may find the state moved, or lose a race to another writer (409).
            codes = [401, 403, 404, 422, *endpoint.extra_responses]
            if method != "GET":
                codes.append(409)
            for code in dict.fromkeys(codes):
                text = endpoint.extra_responses.get(code) or ERROR_TEXT.get(code, "Lỗi")
                operation["responses"][str(code)] = {
                    "description": text,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
