from rapport.api import unscoped_routes
from rapport.settings import Environment
from responder.main import create_app
from responder.settings import ResponderSettings


def test_every_route_declares_a_scope() -> None:
    app = create_app(ResponderSettings(environment=Environment.TEST))
    assert unscoped_routes(app) == []
