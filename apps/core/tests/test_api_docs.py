"""The schema is valid OpenAPI 3, and the docs pages load with every asset served locally."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_schema_is_openapi_3_and_documents_the_envelope(api_client):
    response = api_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "ErrorEnvelope" in schema["components"]["schemas"]
    assert "Pagination" in schema["components"]["schemas"]


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_only_local_assets(api_client, page):
    response = api_client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, "the page references no assets"
    external = [url for url in sources if re.match(r"^(https?:)?//", url)]
    assert not external, f"assets loaded from outside the machine: {external}"
    for url in sources:
        if url.startswith("/static/"):
            asset = api_client.get(url)
            assert asset.status_code == 200, url
            b"".join(asset.streaming_content) if asset.streaming else asset.content
