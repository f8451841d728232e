"""Where an SSIN must be given back (a transaction read by id, an audit export), it is stored
encrypted with AES-256-GCM; the key id is stored beside it so keys can rotate: new writes use the
current key, old rows stay readable while their key is configured."""

import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.domain.identity import Ssin, parse_ssin

_NONCE_BYTES = 12


class UnknownKey(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class SsinVault:
    keys: dict[str, bytes]
    current: str

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ValueError(f"current key id {self.current!r} is not among the keys")
        for key_id, key in self.keys.items():
            if len(key) != 32:
                raise ValueError(f"key {key_id!r} must be 32 bytes (AES-256)")

    def seal(self, ssin: Ssin) -> tuple[bytes, str]:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current]).encrypt(
            nonce, ssin.value.encode(), self.current.encode()
        )
        return nonce + sealed, self.current

    def seal_secret(self, secret: str) -> tuple[bytes, str]:
        """Another secret the service must use again (a webhook signing secret), sealed the
        same way, bound to its purpose so it can never be opened as an SSIN."""
        nonce = os.urandom(_NONCE_BYTES)
        aad = f"{self.current}/secret".encode()
        return nonce + AESGCM(self.keys[self.current]).encrypt(nonce, secret.encode(), aad), (
            self.current
        )

    def open_secret(self, ciphertext: bytes, key_id: str) -> str:
        key = self.keys.get(key_id)
        if key is None:
            raise UnknownKey(f"no key {key_id!r} configured to open this secret")
        aad = f"{key_id}/secret".encode()
        return (
            AESGCM(key).decrypt(ciphertext[:_NONCE_BYTES], ciphertext[_NONCE_BYTES:], aad).decode()
        )

    def open(self, ciphertext: bytes, key_id: str) -> Ssin:
        key = self.keys.get(key_id)
        if key is None:
            raise UnknownKey(f"no key {key_id!r} configured to open this SSIN")
        plain = AESGCM(key).decrypt(
            ciphertext[:_NONCE_BYTES], ciphertext[_NONCE_BYTES:], key_id.encode()
        )
        return parse_ssin(plain.decode())
