"""Key material of §b.8 as bytes: key packages and role certificates, key records, push bundles,
the key.get payloads, and the authority / TOFU trust modes. Layouts are in README.md ("Decisions").
"""

import struct

import nacl.signing

from e2ev2_errors import (
    KeyCommitmentError, KeyPackageError, SealError, TofuMismatchError, WrongRecipientError,
)
from e2ev2_state import ROLES, GroupKey
from e2ev2_wire import kid, open_box, pkid, seal_box, u_uri, verify

KEYPKG_CTX = b"wampbox/e2e/v2 keypkg\x00"
ROLECERT_CTX = b"wampbox/e2e/v2 rolecert\x00"
KEYPKG_VERSION = 1
KEYREC_VERSION = 1


class _Reader:
    def __init__(self, b):
        self.b, self.i = b, 0

    def take(self, n):
        if self.i + n > len(self.b):
            raise KeyPackageError("truncated")
        out = self.b[self.i:self.i + n]
        self.i += n
        return out

    def u8(self):
        return self.take(1)[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def u64(self):
        return struct.unpack(">Q", self.take(8))[0]

    def text(self):
        try:
            return self.take(self.u16()).decode("utf-8")
        except UnicodeDecodeError:
            raise KeyPackageError("text is not UTF-8") from None

    def end(self):
        if self.i != len(self.b):
            raise KeyPackageError("trailing bytes")


# ---------------------------------------------------------------------------------- key packages


def keypkg_tbs(authid, sign_pk, enc_pk, not_after, grants=()):
    """u8 v || U(authid) || sign_pk || enc_pk || u64 not_after || u16 n || n x (U(prefix) || u8 m || m x U(role))."""
    if len(sign_pk) != 32 or len(enc_pk) != 32:
        raise SealError("sign_pk and enc_pk are 32 bytes")
    out = bytes([KEYPKG_VERSION]) + u_uri(authid) + sign_pk + enc_pk + struct.pack(">QH", not_after, len(grants))
    for g in grants:
        roles = list(g["roles"])
        if not set(roles) <= set(ROLES) or len(roles) > 255:
            raise SealError(f"roles must be among {ROLES}")
        out += u_uri(g["prefix"]) + bytes([len(roles)]) + b"".join(u_uri(r) for r in roles)
    return out


def make_keypkg(seed, authid, enc_pk, not_after, grants=(), org_seed=None):
    """A key package as a map (travels as kwargs in any serializer). ``sig`` by the identity,
    ``org_sig`` (role certificate) by the organisation key when org_seed is given."""
    sk = nacl.signing.SigningKey(seed)
    sign_pk = sk.verify_key.encode()
    grants = [{"prefix": g["prefix"], "roles": list(g["roles"])} for g in grants]
    tbs = keypkg_tbs(authid, sign_pk, enc_pk, not_after, grants)
    pkg = {"v": KEYPKG_VERSION, "authid": authid, "sign_pk": sign_pk, "enc_pk": enc_pk,
           "not_after": not_after, "grants": grants, "sig": sk.sign(KEYPKG_CTX + tbs).signature}
    if org_seed is not None:
        pkg["org_sig"] = nacl.signing.SigningKey(org_seed).sign(ROLECERT_CTX + tbs).signature
    return pkg


def verify_keypkg(pkg, now_ms, org_pk=None):
    """Check a key package (and, with org_pk, its role certificate). Returns the TBS bytes."""
    try:
        if pkg.get("v") != KEYPKG_VERSION:
            raise KeyPackageError("unknown version")
        grants = pkg.get("grants") or []
        tbs = keypkg_tbs(pkg["authid"], bytes(pkg["sign_pk"]), bytes(pkg["enc_pk"]), int(pkg["not_after"]), grants)
        sig = bytes(pkg["sig"])
    except (KeyError, TypeError, ValueError, SealError, AttributeError):
        raise KeyPackageError("malformed key package") from None
    if len(sig) != 64 or not verify(bytes(pkg["sign_pk"]), KEYPKG_CTX + tbs, sig):
        raise KeyPackageError("self-signature does not verify")
    if now_ms > pkg["not_after"]:
        raise KeyPackageError("key package expired")
    if org_pk is not None:
        org_sig = pkg.get("org_sig")
        if not isinstance(org_sig, (bytes, bytearray)) or len(org_sig) != 64 or not verify(org_pk, ROLECERT_CTX + tbs, bytes(org_sig)):
            raise KeyPackageError("no valid role certificate from the pinned authority")
    return tbs


class AuthorityTrust:
    """Authority mode: pin one organisation key; grants come from role certificates it signed."""

    def __init__(self, org_pk, trust):
        self.org_pk, self.trust = org_pk, trust
        self.directory = {}  # authid -> (sign_pk, enc_pk)

    def add(self, pkg, now_ms):
        verify_keypkg(pkg, now_ms, self.org_pk)
        for g in pkg.get("grants") or []:
            self.trust.grant(bytes(pkg["sign_pk"]), g["prefix"], g["roles"])
        self.directory[pkg["authid"]] = (bytes(pkg["sign_pk"]), bytes(pkg["enc_pk"]))


class TofuTrust:
    """TOFU mode (development): pin the first key seen per (authid, scope); refuse a change."""

    def __init__(self):
        self.pins = {}

    def see(self, authid, scope, spk):
        pinned = self.pins.setdefault((authid, scope), bytes(spk))
        if pinned != spk:
            raise TofuMismatchError(f"{authid!r} on {scope!r} changed its key")


# ---------------------------------------------------------------------------------- key records


def encode_key_record(g):
    """u8 v || kid || key || u64 not_after (0: none) || U(scope) || u16 n || n x writer spk."""
    writers = g.writers or []
    return (bytes([KEYREC_VERSION]) + g.kid + g.key + struct.pack(">Q", g.not_after or 0) + u_uri(g.scope)
            + struct.pack(">H", len(writers)) + b"".join(writers))


def decode_key_record(b):
    r = _Reader(bytes(b))
    if r.u8() != KEYREC_VERSION:
        raise KeyPackageError("unknown key record version")
    k_id, key, not_after, scope = r.take(16), r.take(32), r.u64(), r.text()
    writers = [r.take(32) for _ in range(r.u16())]
    r.end()
    if kid(key) != k_id:
        raise KeyCommitmentError("key record: KID(key) != kid")
    return GroupKey(key, scope, not_after or None, writers or None)


def make_bundle(g, reader_pks, ephemeral_sks):
    """Push bundle plaintext args: [[PKID(rk), seal(record, rk)], ...] in reader order."""
    rec = encode_key_record(g)
    return [[pkid(rk), seal_box(rec, rk, esk)] for rk, esk in zip(reader_pks, ephemeral_sks)]


def open_bundle(args, my_x25519_sk, my_x25519_pk):
    """Find and open this reader's entry; returns the GroupKey."""
    me = pkid(my_x25519_pk)
    for entry in args:
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == me:
            rec = open_box(bytes(entry[1]), my_x25519_sk)
            if rec is None:
                raise WrongRecipientError("bundle entry does not open")
            return decode_key_record(rec)
    raise WrongRecipientError("no bundle entry for this reader")


# ---------------------------------------------------------------------------------- key.get


def key_get_request(k_id, uri):
    """kwargs of the CALL to ‹ns›.e2e.key.get (sealed, signed by the reader)."""
    return {"kid": bytes(k_id), "uri": uri}


def key_get_reply(g):
    """kwargs of its YIELD: {kid, key, scope, not_after, writers?} (not_after null: none)."""
    out = {"kid": g.kid, "key": g.key, "scope": g.scope, "not_after": g.not_after}
    if g.writers is not None:
        out["writers"] = list(g.writers)
    return out


def parse_key_get_reply(kwargs, expected_kid):
    try:
        g = GroupKey(bytes(kwargs["key"]), kwargs["scope"], kwargs.get("not_after"), kwargs.get("writers"))
        claimed = bytes(kwargs["kid"])
    except (KeyError, TypeError, ValueError, SealError):
        raise KeyPackageError("malformed key.get reply") from None
    if g.kid != claimed or g.kid != expected_kid:
        raise KeyCommitmentError("key.get reply: KID(key) != kid")
    return g
