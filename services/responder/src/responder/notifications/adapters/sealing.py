"""Webhook URLs at rest: Fernet-encrypted under the settings' ``account_token_key``, as the
brand accounts' tokens are (``responder.adapters.account_store``)."""

from cryptography.fernet import Fernet
from pydantic import SecretStr


class Sealer:
    def __init__(self, key: SecretStr) -> None:
        self._fernet = Fernet(key.get_secret_value())

    def seal(self, plain: str) -> bytes:
        return self._fernet.encrypt(plain.encode())

    def open(self, sealed: bytes) -> str:
        return self._fernet.decrypt(sealed).decode()
