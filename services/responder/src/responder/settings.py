from rapport.settings import RapportSettings


class ResponderSettings(RapportSettings):
    service_name: str = "responder"
