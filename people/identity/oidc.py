"""An OpenID Connect relying party for force directories (Entra ID and others): discovery,
authorisation code with PKCE (S256), and ID token checks (signature against the issuer's
published keys, issuer, audience, expiry, nonce).

allauth's ``openid_connect`` provider needs ``requests`` and PyJWT, which are not in the
project's lock; this module uses the standard library and ``cryptography`` (already locked)
and hands the verified sign-in to allauth's login flow (views.py), so MFA and sessions work as
for a password sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

TIMEOUT_SECONDS = 10
LEEWAY_SECONDS = 120
CACHE_SECONDS = 3600
# Authentication method references that show a second factor (RFC 8176; Entra ID sends "mfa").
MFA_AMR = {"mfa", "otp", "hwk", "swk", "fido", "sc", "face", "fpt", "iris", "retina", "vbm"}

_cache: dict[str, tuple[float, dict]] = {}


class OIDCError(Exception):
    """The directory's answer could not be trusted or used; the message is for the log and
    for an administrator, never shown with secrets."""


@dataclass(frozen=True)
class AuthorisationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _get_json(url: str, *, data: dict | None = None, headers: dict | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/json"})
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return json.loads(response.read().decode())
    except urllib.error.HTTPError as error:
        detail = error.read()[:300].decode(errors="replace")
        raise OIDCError(f"{url} answered {error.code}: {detail}") from error
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        raise OIDCError(f"{url} could not be read: {error}") from error


def _cached_json(url: str, *, refresh: bool = False) -> dict:
    hit = _cache.get(url)
    if hit and not refresh and hit[0] > time.monotonic():
        return hit[1]
    value = _get_json(url)
    _cache[url] = (time.monotonic() + CACHE_SECONDS, value)
    return value


def discover(issuer: str) -> dict:
    """The issuer's OpenID configuration; its ``issuer`` must be the one configured."""
    config = _cached_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if config.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise OIDCError(f"discovery names issuer {config.get('issuer')!r}, not {issuer!r}")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not config.get(key):
            raise OIDCError(f"discovery document has no {key}")
    return config


def begin(directory, *, redirect_uri: str, prompt: str = "") -> AuthorisationRequest:
    """The URL to send the browser to, with fresh state, nonce and PKCE verifier.
    ``prompt="login"`` asks the directory to sign the user in again (reauthentication)."""
    config = discover(directory.issuer)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    code_verifier = secrets.token_urlsafe(64)
    challenge = _b64encode(hashlib.sha256(code_verifier.encode()).digest())
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": directory.client_id,
            "redirect_uri": redirect_uri,
            "scope": directory.scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **({"prompt": prompt} if prompt else {}),
        }
    )
    separator = "&" if "?" in config["authorization_endpoint"] else "?"
    return AuthorisationRequest(
        url=f"{config['authorization_endpoint']}{separator}{query}",
        state=state,
        nonce=nonce,
        code_verifier=code_verifier,
    )


def exchange_code(directory, *, code: str, redirect_uri: str, code_verifier: str) -> dict:
    """The token response for an authorisation code (client_secret_post)."""
    config = discover(directory.issuer)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": directory.client_id,
        "code_verifier": code_verifier,
    }
    if directory.client_secret:
        data["client_secret"] = directory.client_secret
    tokens = _get_json(config["token_endpoint"], data=data)
    if not isinstance(tokens.get("id_token"), str):
        raise OIDCError("the token response has no ID token")
    return tokens


def _public_key(jwk: dict):
    if jwk.get("kty") == "RSA":
        n = int.from_bytes(_b64decode(jwk["n"]), "big")
        e = int.from_bytes(_b64decode(jwk["e"]), "big")
        return rsa.RSAPublicNumbers(e, n).public_key()
    if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
        x = int.from_bytes(_b64decode(jwk["x"]), "big")
        y = int.from_bytes(_b64decode(jwk["y"]), "big")
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    raise OIDCError(f"unsupported key type {jwk.get('kty')!r}")


def _verify_signature(alg: str, key, signing_input: bytes, signature: bytes) -> None:
    try:
        if alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        elif alg == "PS256" and isinstance(key, rsa.RSAPublicKey):
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
            key.verify(signature, signing_input, pss, hashes.SHA256())
        elif alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey):
            if len(signature) != 64:
                raise OIDCError("malformed ES256 signature")
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
        else:
            raise OIDCError(f"signature algorithm {alg!r} is not accepted")
    except InvalidSignature as error:
        raise OIDCError("the ID token's signature does not match the directory's key") from error


def _signing_key(config: dict, kid: str | None, alg: str):
    for refresh in (False, True):  # keys rotate: look again once before refusing
        keys = _cached_json(config["jwks_uri"], refresh=refresh).get("keys", [])
        usable = [k for k in keys if k.get("use", "sig") == "sig"]
        matching = [k for k in usable if kid is None or k.get("kid") == kid]
        if matching:
            return _public_key(matching[0])
    raise OIDCError(f"no published key with id {kid!r}")


def verify_id_token(directory, id_token: str, *, nonce: str) -> dict:
    """The ID token's claims, once its signature, issuer, audience, times and nonce check."""
    config = discover(directory.issuer)
    try:
        header_b64, payload_b64, signature_b64 = id_token.split(".")
        header = json.loads(_b64decode(header_b64))
        claims = json.loads(_b64decode(payload_b64))
        signature = _b64decode(signature_b64)
    except (ValueError, TypeError) as error:
        raise OIDCError("the ID token is not a signed JWT") from error
    alg = header.get("alg", "")
    key = _signing_key(config, header.get("kid"), alg)
    _verify_signature(alg, key, f"{header_b64}.{payload_b64}".encode(), signature)

    now = time.time()
    if claims.get("iss", "").rstrip("/") != config["issuer"].rstrip("/"):
        raise OIDCError("the ID token was issued by another issuer")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if directory.client_id not in audiences:
        raise OIDCError("the ID token is for another client")
    if len(audiences) > 1 and claims.get("azp") != directory.client_id:
        raise OIDCError("the ID token's authorised party is another client")
    if not isinstance(claims.get("exp"), int | float) or claims["exp"] < now - LEEWAY_SECONDS:
        raise OIDCError("the ID token has expired")
    if isinstance(claims.get("iat"), int | float) and claims["iat"] > now + LEEWAY_SECONDS:
        raise OIDCError("the ID token was issued in the future")
    if not nonce or not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OIDCError("the ID token's nonce is not the one this sign-in sent")
    return claims


def logout_url(directory, *, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The directory's end-session URL (RP-initiated logout), if it publishes one."""
    try:
        endpoint = discover(directory.issuer).get("end_session_endpoint")
    except OIDCError:
        return None
    if not endpoint:
        return None
    query = urllib.parse.urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": post_logout_redirect_uri,
            "client_id": directory.client_id,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def shows_mfa(claims: dict) -> bool:
    amr = claims.get("amr") or []
    return bool(set(amr if isinstance(amr, list) else [amr]) & MFA_AMR)
