from rapport.settings import RapportSettings


class ProfilesSettings(RapportSettings):
    service_name: str = "profiles"
