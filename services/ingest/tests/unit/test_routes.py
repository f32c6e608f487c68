from ingest.main import create_app
from ingest.settings import IngestSettings
from rapport.api import unscoped_routes
from rapport.settings import Environment


def test_every_route_declares_a_scope() -> None:
    app = create_app(IngestSettings(environment=Environment.TEST))
    assert unscoped_routes(app) == []
