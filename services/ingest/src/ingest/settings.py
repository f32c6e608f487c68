from rapport.settings import RapportSettings


class IngestSettings(RapportSettings):
    service_name: str = "ingest"
