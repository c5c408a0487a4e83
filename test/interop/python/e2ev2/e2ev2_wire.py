"""x_e2ev2 suite 1: derivations (§b.2), the payload layout (§b.4) and the deterministic core of
sealing. Nothing here keeps state or reads a clock; randomness comes in as arguments, so the
known-answer vectors can drive every byte.
"""

import hashlib
import struct
from dataclasses import dataclass

import nacl.bindings as nb
import nacl.exceptions
import nacl.signing

from e2ev2_errors import SealError

SCHEME = "x_e2ev2"
CIPHER = "xchacha20poly1305"
MAGIC = b"W2"
SUITE = 1

T_PUBLISH, T_CALL, T_YIELD, T_ERROR = 1, 2, 3, 4
TYPE_NAME = {T_PUBLISH: "PUBLISH", T_CALL: "CALL", T_YIELD: "YIELD", T_ERROR: "ERROR"}
TYPE_BY_NAME = {v: k for k, v in TYPE_NAME.items()}
# the WAMP message a receiver decodes -> the type byte it requires
TYPE_FOR_WAMP = {"EVENT": T_PUBLISH, "INVOCATION": T_CALL, "RESULT": T_YIELD, "ERROR": T_ERROR}

F_MORE, F_PADDED, F_INNER_URI, F_SIGNED, F_WRAPPED = 0x01, 0x02, 0x04, 0x08, 0x10
F_BUCKET_SHIFT, F_BUCKET_MASK, F_RESERVED = 5, 0x60, 0x80
BUCKETS = (64, 256, 1024)  # bucket index 3 is reserved

HEADER_LEN = 120  # magic .. nonce
WRAP_LEN = 80
TAG_LEN = 16
SIG_LEN = 64
NONCE_LEN = 24
KEY_LEN = 32

KID_CTX = b"wampbox/e2e/v2 kid"
PKID_CTX = b"wampbox/e2e/v2 pkid\x00"
REPLY_CTX = b"wampbox/e2e/v2 reply"
SIG_CTX = b"wampbox/e2e/v2 sig\x00"
AAD_CTX = b"wampbox/e2e/v2 aad\x00"
ZERO_XID = bytes(16)


# ---------------------------------------------------------------------------------- derivations


def kid(key):
    """KID(K) = BLAKE2b-128(key=K, "wampbox/e2e/v2 kid")."""
    return hashlib.blake2b(KID_CTX, key=key, digest_size=16).digest()


def pkid(pk):
    """PKID(pk) = BLAKE2b-128("wampbox/e2e/v2 pkid\\0" || pk), unkeyed."""
    return hashlib.blake2b(PKID_CTX + pk, digest_size=16).digest()


def reply_key(session_key, xid):
    """K_reply(K_s, xid) = BLAKE2b-256(key=K_s, "wampbox/e2e/v2 reply" || xid)."""
    return hashlib.blake2b(REPLY_CTX + xid, key=session_key, digest_size=32).digest()


def u_uri(uri):
    """U(uri) = u16be(len(utf8(uri))) || utf8(uri)."""
    b = uri.encode("utf-8")
    if len(b) > 0xFFFF:
        raise SealError("URI longer than 65535 bytes")
    return struct.pack(">H", len(b)) + b


def ed25519_pk_to_x25519(pk):
    return nb.crypto_sign_ed25519_pk_to_curve25519(pk)


def ed25519_seed_to_x25519_sk(seed):
    """The X25519 secret key converted from an Ed25519 seed (crypto_sign_ed25519_sk_to_curve25519)."""
    pk, sk = nb.crypto_sign_seed_keypair(seed)
    return nb.crypto_sign_ed25519_sk_to_curve25519(sk)


def x25519_public(sk):
    return nb.crypto_scalarmult_base(sk)


# ---------------------------------------------------------------------------------- sealed box


def seal_box(message, recipient_pk, ephemeral_sk):
    """crypto_box_seal with a given ephemeral secret key (libsodium's construction):
    epk = X25519(esk, 9); nonce = BLAKE2b-192(epk || rpk); out = epk || crypto_box_easy(m, nonce, rpk, esk).
    With a fresh random esk this is exactly crypto_box_seal; the vectors fix esk.
    """
    epk = x25519_public(ephemeral_sk)
    nonce = hashlib.blake2b(epk + recipient_pk, digest_size=24).digest()
    return epk + nb.crypto_box_easy(message, nonce, recipient_pk, ephemeral_sk)


def open_box(sealed, recipient_sk):
    """crypto_box_seal_open; returns None when it does not open."""
    pk = x25519_public(recipient_sk)
    try:
        return nb.crypto_box_seal_open(sealed, pk, recipient_sk)
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        return None


# ---------------------------------------------------------------------------------- padding


def pad(data, bucket_index):
    """sodium_pad(data, BUCKETS[i]): 0x80 then zeros up to the next multiple (always >= 1 byte)."""
    return nb.sodium_pad(data, BUCKETS[bucket_index])


def unpad(data, bucket_index):
    """sodium_unpad; returns None on invalid padding (or a length that is not a multiple)."""
    size = BUCKETS[bucket_index]
    if len(data) == 0 or len(data) % size != 0:
        return None
    try:
        return nb.sodium_unpad(data, size)
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        return None


# ---------------------------------------------------------------------------------- header


@dataclass
class Header:
    type: int
    flags: int
    ser: int
    kid: bytes
    spk: bytes
    sid: bytes  # 8 bytes, opaque
    seq: int
    ts: int
    xid: bytes
    nonce: bytes
    suite: int = SUITE
    reserved: int = 0

    @property
    def more(self):
        return bool(self.flags & F_MORE)

    @property
    def padded(self):
        return bool(self.flags & F_PADDED)

    @property
    def inner_uri(self):
        return bool(self.flags & F_INNER_URI)

    @property
    def signed(self):
        return bool(self.flags & F_SIGNED)

    @property
    def wrapped(self):
        return bool(self.flags & F_WRAPPED)

    @property
    def bucket(self):
        return (self.flags & F_BUCKET_MASK) >> F_BUCKET_SHIFT

    def pack(self):
        return (
            MAGIC
            + struct.pack(">BBBBH", self.suite, self.type, self.flags, self.ser, self.reserved)
            + self.kid + self.spk + self.sid
            + struct.pack(">QQ", self.seq, self.ts)
            + self.xid + self.nonce
        )

    @staticmethod
    def unpack(b):
        """Fields of bytes[0:120] without any check (checks are the receiver's, in order)."""
        suite, typ, flags, ser, reserved = struct.unpack(">BBBBH", b[2:8])
        seq, ts = struct.unpack(">QQ", b[64:80])
        return Header(
            type=typ, flags=flags, ser=ser, kid=b[8:24], spk=b[24:56], sid=b[56:64], seq=seq, ts=ts,
            xid=b[80:96], nonce=b[96:120], suite=suite, reserved=reserved,
        )


def make_flags(*, more=False, bucket=None, inner_uri=False, signed=False, wrapped=False):
    f = 0
    if more:
        f |= F_MORE
    if bucket is not None:
        if bucket not in (0, 1, 2):
            raise SealError("pad bucket must be 0, 1 or 2")
        f |= F_PADDED | (bucket << F_BUCKET_SHIFT)
    if inner_uri:
        f |= F_INNER_URI
    if signed:
        f |= F_SIGNED
    if wrapped:
        f |= F_WRAPPED
    return f


def aad(uri, head_and_wrap):
    return AAD_CTX + u_uri(uri) + head_and_wrap


def sig_input(uri, up_to_ct):
    return SIG_CTX + u_uri(uri) + up_to_ct


def seal_raw(*, header, uri, key, plaintext, wrap=None, signing_seed=None):
    """Assemble one payload from a complete header and the (already padded) plaintext.

    ``header.flags`` decides WRAPPED/SIGNED; ``wrap`` must be the 80-byte wrap when WRAPPED and
    ``signing_seed`` the Ed25519 seed when SIGNED. Returns a dict of the payload and every
    intermediate value (for vectors and debugging).
    """
    if len(key) != KEY_LEN or len(header.nonce) != NONCE_LEN or len(header.xid) != 16:
        raise SealError("key, nonce or xid of the wrong size")
    if len(header.kid) != 16 or len(header.spk) != 32 or len(header.sid) != 8:
        raise SealError("kid, spk or sid of the wrong size")
    head = header.pack()
    if header.wrapped:
        if wrap is None or len(wrap) != WRAP_LEN:
            raise SealError("WRAPPED needs an 80-byte wrap")
        head += wrap
    elif wrap is not None:
        raise SealError("a wrap without WRAPPED")
    ad = aad(uri, head)
    ct = nb.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, header.nonce, key)
    out = {"header": head[:HEADER_LEN], "wrap": wrap, "aad": ad, "ciphertext": ct}
    body = head + ct
    if header.signed:
        if signing_seed is None:
            raise SealError("SIGNED needs the signing key")
        sk = nacl.signing.SigningKey(signing_seed)
        if sk.verify_key.encode() != header.spk:
            raise SealError("spk is not the public key of the signing key")
        si = sig_input(uri, body)
        sig = sk.sign(si).signature
        out["sig_input"] = si
        out["signature"] = sig
        body += sig
    out["payload"] = body
    return out


def decrypt(key, nonce, ciphertext, ad):
    """AEAD open; returns None on failure."""
    try:
        return nb.crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, ad, nonce, key)
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        return None


def verify(spk, message, signature):
    try:
        nacl.signing.VerifyKey(spk).verify(message, signature)
        return True
    except (nacl.exceptions.BadSignatureError, nacl.exceptions.CryptoError, ValueError, TypeError):
        return False
