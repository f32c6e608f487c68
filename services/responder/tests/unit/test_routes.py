from rapport.api import unscoped_routes
from rapport.settings import Environment
from rapport.testing import token_keys
from responder.main import create_app
from responder.settings import ResponderSettings


def test_every_route_declares_a_scope() -> None:
    app = create_app(
        ResponderSettings(environment=Environment.TEST, auth_jwks=token_keys().auth_jwks)
    )
    assert unscoped_routes(app) == []
