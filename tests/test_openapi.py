"""The generated OpenAPI document equals the committed snapshot.

An intended API change updates the snapshot: ``TINHUY_UPDATE_SNAPSHOTS=1 make test``; the diff of
``tests/snapshots/openapi.json`` is then part of the review.
"""

import json
import os
from pathlib import Path

from tinhuy.api import api

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi.json"


def test_openapi_matches_snapshot() -> None:
    current = (
        json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    )
    if os.environ.get("TINHUY_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert current == SNAPSHOT.read_text(encoding="utf-8")


def test_every_operation_has_an_id_and_a_summary() -> None:
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            assert operation.get("operationId"), (method, path)
            assert operation.get("summary"), (method, path)


def test_docs_page_is_served_to_who_logs_in(client, personas) -> None:
    for url in ("/api/v1/docs", "/api/v1/openapi.json"):
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/dang-nhap/" in anonymous["Location"]
    client.force_login(personas.vinh_officer)
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
