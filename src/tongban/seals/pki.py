"""The platform's public-key infrastructure on ``cryptography``: keys, certificates, CRLs.

Nothing here touches the database; ``services`` keeps what this makes. Keys are ECDSA P-256
(fast to sign, accepted by pyHanko and by poppler/NSS), except the time-stamping authority's,
which is RSA-2048: pyHanko's in-process TSA signs with RSA only and loads the key for every
timestamp (a 3072-bit key cost ~100 ms a seal). Private keys leave this module only as
encrypted PKCS#8.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


class PkiError(ValueError):
    """A key could not be opened (wrong passphrase, not a key) or does not match its certificate."""


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: PrivateKey


def new_key(rsa_bits: int = 0) -> PrivateKey:
    if rsa_bits:
        return rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
    return ec.generate_private_key(ec.SECP256R1())


def encrypt_key(key: PrivateKey, passphrase: str | bytes) -> bytes:
    secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(secret),
    )


def decrypt_key(pem: bytes, passphrase: str | bytes) -> PrivateKey:
    secret = passphrase.encode() if isinstance(passphrase, str) else passphrase
    try:
        key = serialization.load_pem_private_key(pem, password=secret)
    except (ValueError, TypeError) as exc:
        raise PkiError("the key cannot be opened with this passphrase") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise PkiError("only EC and RSA keys are supported")
    return key


def load_key(pem: bytes, passphrase: str | bytes | None = None) -> PrivateKey:
    """An operator's key file, for a certificate issued by an outside CA (EC or RSA)."""
    try:
        key = serialization.load_pem_private_key(
            pem, password=passphrase.encode() if isinstance(passphrase, str) else passphrase
        )
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise PkiError(f"not a readable private key: {exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise PkiError("only EC and RSA keys are supported")
    return key


def load_certificate(pem: bytes) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        raise PkiError(f"not a PEM certificate: {exc}") from exc


def load_certificates(pem_data: bytes) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(pem_data)
    except ValueError as exc:
        raise PkiError(f"not PEM certificates: {exc}") from exc


def self_signed(certificate: x509.Certificate) -> bool:
    return certificate.issuer == certificate.subject


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def matches(certificate: x509.Certificate, key: PrivateKey) -> bool:
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    try:
        public = certificate.public_key().public_bytes(der, spki)
    except UnsupportedAlgorithm as exc:  # an SM2 (GM/T) certificate, say
        raise PkiError(f"the certificate's key type is not supported: {exc}") from exc
    return public == key.public_key().public_bytes(der, spki)


def _name(common_name: str, organisation: str, unit: str = "") -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
    ]
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(parts)


def _serial() -> int:
    return secrets.randbits(120) | 1


def _builder(
    subject: x509.Name, issuer: x509.Name, key: PrivateKey, days: int
) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(_serial())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip


def make_root(organisation: str, days: int = 20 * 365) -> Issued:
    key = new_key()
    name = _name(f"{organisation} 根证书", organisation)
    cert = (
        _builder(name, name, key, days)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert, key)


def make_issuing(root: Issued, organisation: str, days: int = 10 * 365) -> Issued:
    key = new_key()
    cert = (
        _builder(
            _name(f"{organisation} 签发证书", organisation), root.certificate.subject, key, days
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_usage(), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root.key.public_key()),
            critical=False,
        )
        .sign(root.key, hashes.SHA256())
    )
    return Issued(cert, key)


def issue(
    issuer: Issued,
    *,
    common_name: str,
    organisation: str,
    unit: str = "",
    days: int = 3 * 365,
    crl_url: str = "",
    time_stamping: bool = False,
) -> Issued:
    """A signing certificate: a department seal (公章), a person (个人签名) or the TSA."""
    key = new_key(rsa_bits=2048 if time_stamping else 0)
    builder = (
        _builder(_name(common_name, organisation, unit), issuer.certificate.subject, key, days)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not time_stamping,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    )
    if time_stamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier(crl_url)], None, None, None
                    )
                ]
            ),
            critical=False,
        )
    return Issued(builder.sign(issuer.key, hashes.SHA256()), key)


def make_crl(
    issuer: Issued, revoked: list[tuple[int, datetime]], days: int = 7
) -> x509.CertificateRevocationList:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(now)
        .next_update(now + timedelta(days=days))
    )
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    return builder.sign(issuer.key, hashes.SHA256())
