from profiles.main import create_app
from profiles.settings import ProfilesSettings
from rapport.api import unscoped_routes
from rapport.settings import Environment
from rapport.testing import token_keys


def test_every_route_declares_a_scope() -> None:
    app = create_app(
        ProfilesSettings(environment=Environment.TEST, auth_jwks=token_keys().auth_jwks)
    )
    assert unscoped_routes(app) == []
