"""Every route the application answers, read from the URL resolver and from the API's OpenAPI
schema, so that a route added tomorrow is in the matrix without editing it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "api/v1/"

# Routes of the resolver left out of the matrix, each with its reason.
SKIPPED_PREFIXES: dict[str, str] = {
    "quan-tri/": "Django's admin: its own permission system (is_staff), tested in tests/test_admin.py",
    "media/": "static/media serving (django.views.static.serve), tested in tests/test_media.py",
}
SKIPPED_API_PATHS: dict[str, str] = {
    f"{API_PREFIX}docs": "the API docs page (issue 12 asks for it behind log-in; not an object)",
    f"{API_PREFIX}openapi.json": "the OpenAPI schema itself (read here to list the operations)",
    f"{API_PREFIX}": "ninja's root redirect to the docs",
}

# <int:plan_id>, <slug:slug>, <path:chapter>, <unit_id> (ninja's paths)
_CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
_OPENAPI_PARAM = re.compile(r"{(?P<name>\w+)}")


@dataclass(frozen=True)
class Route:
    kind: str  # "page" or "api"
    key: str  # the URL name for a page, the operationId for an API operation
    template: str  # the path with "{name}" where each parameter goes
    params: tuple[tuple[str, str], ...]  # (name, converter): int, str, slug, path
    methods: tuple[str, ...]
    required_query: tuple[str, ...] = ()  # query parameters the operation cannot do without
    public: bool = False  # the API operation declares no security

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.key}"


def _walk(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            found += _walk(pattern, prefix + str(pattern.pattern))
        else:
            found.append((prefix + str(pattern.pattern), pattern))
    return found


def resolver_routes() -> list[tuple[str, URLPattern]]:
    """(route, pattern) for every URL pattern, through includes."""
    return _walk(get_resolver())


def page_routes() -> list[Route]:
    """The routes outside the API and the skipped prefixes; each is asked with GET and POST."""
    routes: list[Route] = []
    for route, pattern in resolver_routes():
        if route.lstrip("^").startswith((API_PREFIX, *SKIPPED_PREFIXES)):
            continue
        assert "(?P<" not in route, f"{route!r}: a regex route, which the matrix cannot fill"
        assert pattern.name, f"the page {route!r} has a name (the matrix keys routes by name)"
        params = tuple((m["name"], m["converter"] or "str") for m in _CONVERTER.finditer(route))
        template = _CONVERTER.sub(lambda m: "{" + m["name"] + "}", route)
        routes.append(Route("page", pattern.name, "/" + template, params, ("GET", "POST")))
    return routes


def api_routes() -> list[Route]:
    """One route per path of the OpenAPI schema, with the methods its operations declare."""
    from tinhuy.api import api

    schema = api.get_openapi_schema(path_prefix="/" + API_PREFIX)
    routes: list[Route] = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = tuple(
                (p["name"], "int" if p.get("schema", {}).get("type") == "integer" else "str")
                for p in operation.get("parameters", [])
                if p["in"] == "path"
            )
            # Path parameters in the order of the path.
            order = [m["name"] for m in _OPENAPI_PARAM.finditer(path)]
            params = tuple(sorted(params, key=lambda p: order.index(p[0])))
            required = tuple(
                p["name"]
                for p in operation.get("parameters", [])
                if p["in"] == "query" and p.get("required")
            )
            routes.append(
                Route(
                    "api",
                    operation["operationId"],
                    path,
                    params,
                    (method.upper(),),
                    required_query=required,
                    public=not operation.get("security"),
                )
            )
    return routes


def api_paths_outside_schema() -> list[str]:
    """Resolver routes under the API prefix that no operation of the schema describes."""
    from tinhuy.api import api

    schema_paths = {
        _OPENAPI_PARAM.sub("<x>", p)
        for p in api.get_openapi_schema(path_prefix="/" + API_PREFIX)["paths"]
    }
    missing = []
    for route, _pattern in resolver_routes():
        if not route.startswith(API_PREFIX) or route in SKIPPED_API_PATHS:
            continue
        if "/" + _CONVERTER.sub("<x>", route) not in schema_paths:
            missing.append(route)
    return missing
