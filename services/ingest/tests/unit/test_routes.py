from ingest.main import create_app
from ingest.settings import IngestSettings
from rapport.api import unscoped_routes
from rapport.settings import Environment
from rapport.testing import token_keys


def test_every_route_declares_a_scope() -> None:
    settings = IngestSettings(environment=Environment.TEST, auth_jwks=token_keys().auth_jwks)
    app = create_app(settings)
    assert unscoped_routes(app) == []
