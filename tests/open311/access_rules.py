"""Access rules of Open311 GeoReport v2: public reads; POST needs an Open311 api_key (403)."""

from __future__ import annotations

from tests.authz.matrix import PUBLIC, Rule

P = {"fmt": "json"}
RULES = [
    Rule("GET", "/open311/v2/discovery.{fmt}", allowed=PUBLIC, public=True, path_params=P),
    Rule("GET", "/open311/v2/services.{fmt}", allowed=PUBLIC, public=True, path_params=P),
    Rule(
        "GET",
        "/open311/v2/services/{code}.{fmt}",
        allowed=PUBLIC,
        public=True,
        path_params={"code": "E0102", "fmt": "xml"},
    ),
    Rule(
        "POST",
        "/open311/v2/requests.{fmt}",
        allowed=PUBLIC,
        public=True,
        path_params=P,
        data={"service_code": "E0102", "lat": "30.005", "long": "111.005"},
        anonymous_status=403,
        note="api_key in the form",
    ),
    Rule(
        "GET",
        "/open311/v2/tokens/{token}.{fmt}",
        allowed=PUBLIC,
        public=True,
        path_params={"token": "NOPE", "fmt": "json"},
    ),
    Rule("GET", "/open311/v2/requests.{fmt}", allowed=PUBLIC, public=True, path_params=P),
    Rule(
        "GET",
        "/open311/v2/requests/{request_id}.{fmt}",
        allowed=PUBLIC,
        public=True,
        path_params={"request_id": "NOPE", "fmt": "json"},
    ),
]
