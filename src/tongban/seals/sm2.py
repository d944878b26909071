"""National cryptography (国密): SM2 key pairs and signatures with SM3 digests (GB/T 32918,
GB/T 32905) on gmssl, for detached signatures on data that is not a PDF (licence data, audit
checkpoints). gmssl has no key-generation helper; a key is a random scalar in [1, n-2] and the
public key that scalar times the base point, computed with gmssl's own point arithmetic.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from gmssl import sm2 as gm

CURVE = gm.default_ecc_table
ALGORITHM = "SM2-with-SM3"


class Sm2Error(ValueError):
    """A key or a signature that is not well formed."""


@dataclass(frozen=True)
class KeyPair:
    private_hex: str
    public_hex: str  # uncompressed point without the 04 prefix: 128 hex digits


def new_key_pair() -> KeyPair:
    n = int(CURVE["n"], 16)
    d = secrets.randbelow(n - 2) + 1
    private_hex = f"{d:064x}"
    public_hex = gm.CryptSM2(private_key=private_hex, public_key="")._kg(d, CURVE["g"])
    return KeyPair(private_hex, public_hex)


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _check_public(public_hex: str) -> str:
    value = (public_hex or "").strip().lower()
    if value.startswith("04") and len(value) == 130:
        value = value[2:]
    if len(value) != 128 or any(c not in "0123456789abcdef" for c in value):
        raise Sm2Error("an SM2 public key is 64 bytes (128 hex digits)")
    return value


def _crypt(private_hex: str, public_hex: str) -> gm.CryptSM2:
    """gmssl's CryptSM2 with the public key set after construction: its constructor strips a
    leading "04" with ``lstrip("04")``, which also eats a key's own leading 0s and 4s (one key in
    eight starts with one), and the Z value computed from the shortened key is then garbage."""
    crypt = gm.CryptSM2(private_key=private_hex, public_key="")
    crypt.public_key = public_hex
    return crypt


def sign(data: bytes, keys: KeyPair) -> str:
    """The SM2 signature (r‖s, hex) over SM3(Z‖data), with a fresh random k."""
    signer = _crypt(keys.private_hex, _check_public(keys.public_hex))
    return str(signer.sign_with_sm3(data, secrets.token_hex(32)))


def verify(data: bytes, signature_hex: str, public_hex: str) -> bool:
    value = (signature_hex or "").strip().lower()
    if len(value) != 128 or any(c not in "0123456789abcdef" for c in value):
        return False
    checker = _crypt("", _check_public(public_hex))
    try:
        return bool(checker.verify_with_sm3(value, data))
    except Exception:  # gmssl raises assorted errors for points off the curve: not valid
        return False
