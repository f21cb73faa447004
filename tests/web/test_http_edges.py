"""What every response carries, and the edges of HTTP: security headers, documentation served
from local files, ``OPTIONS``, oversized bodies, unknown methods and the health check."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from levelscope.web.middleware import MAX_BODY_BYTES


@pytest.mark.parametrize("path", ["/", "/programmes/login", "/api/levels", "/docs", "/static/levelscope.css",
                                  "/api/areas/NOPE", "/no-such-page"])
def test_every_response_has_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "default-src 'self'" in policy and "unsafe-eval" not in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_documentation_loads_nothing_from_elsewhere(client: TestClient, page: str) -> None:
    html = client.get(page).text
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") for a in assets), assets
    assert "<script>" not in html  # no inline script for the policy to refuse
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_options_lists_every_method_of_the_path(client: TestClient) -> None:
    response = client.options("/api/programmes/1")
    assert response.status_code == 204
    assert response.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH"
    assert client.options("/api/nowhere").status_code == 404


def test_method_not_allowed_names_the_allowed_ones(client: TestClient) -> None:
    response = client.put("/api/programmes/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH"
    assert response.json()["status"] == 405


def test_oversized_bodies_are_refused_before_they_are_read(client: TestClient) -> None:
    too_big = b"x" * (MAX_BODY_BYTES + 1)
    response = client.post("/api/measures/compute", content=too_big,
                           headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert "larger than the 10 MiB" in response.json()["detail"]


def test_errors_share_one_shape(client: TestClient) -> None:
    shapes = [
        client.get("/api/areas/NOPE"),  # levelscope NotFoundError
        client.get("/api/areas", params={"limit": 0}),  # FastAPI validation
        client.get("/api/programmes"),  # no token
        client.get("/api/nowhere"),  # no route
        client.post("/api/measures/compute", content=b'{"values": [1, Infinity], "weights": "x"}',
                    headers={"content-type": "application/json"}),  # input JSON cannot echo
    ]
    for response in shapes:
        body = response.json()
        assert set(body) == {"type", "title", "status", "detail", "errors"}, body
        assert body["status"] == response.status_code and body["detail"]
    assert [r.status_code for r in shapes] == [404, 422, 401, 404, 422]


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["records"] == "sqlite" and body["workspace"]["copies"] == 1
