"""``python -m ingest.analyser [--host H] [--port P]``: the analysis stage as a process of its
own (``RAPPORT_ROLE=analyser``): no intake routes, only ``/healthz``, ``/readyz``,
``/metrics`` and the dead-letter admin API, for its orchestrator and Prometheus."""

import argparse

import uvicorn

from ingest.main import create_app
from ingest.settings import IngestSettings


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m ingest.analyser", description=__doc__)
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8011)
    args = parser.parse_args()
    app = create_app(IngestSettings(role="analyser"))
    uvicorn.run(app, host=args.host, port=args.port, access_log=False)


if __name__ == "__main__":
    main()
