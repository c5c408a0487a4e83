"""Typed refusals of the x_e2ev2 codec.

Every refusal is an ``E2eError`` subclass whose ``code`` is the error identifier that the vectors
file names (``expect.error``). Identifiers the spec itself uses (``signature``, ``sender``,
``decrypt``, ``wrong-recipient``, ``key-commitment``, ``unknown_key``, ``uri``) are kept
verbatim; the others are defined in README.md ("Error identifiers"). Messages never contain keys
or plaintext.
"""


class E2eError(Exception):
    """Base class: a payload (or key material) was refused. ``code`` names the reason."""

    code = "e2e"
    step = None  # the step of the receiver algorithm (§b.6) that refused, 0 = envelope
    wamp_uri = "wamp.error.encryption.decrypt_error"  # what a callee answers for an INVOCATION

    def __init__(self, detail=""):
        super().__init__(f"{self.code}: {detail}" if detail else self.code)
        self.detail = detail


def _define(name, code, step, doc, wamp_uri="wamp.error.encryption.decrypt_error"):
    cls = type(name, (E2eError,), {"code": code, "step": step, "__doc__": doc, "wamp_uri": wamp_uri})
    return cls


# envelope (before step 1)
DowngradeError = _define(
    "DowngradeError", "downgrade", 0,
    "A URI configured for x_e2ev2 got something else (plaintext, cryptobox, a carriage the "
    "configuration does not allow), or x_e2ev2 arrived on a URI configured for another scheme.")
EnvelopeError = _define(
    "EnvelopeError", "envelope", 0,
    "Transparent carriage whose payload is not binary, or a ppt_cipher other than xchacha20poly1305.")
# step 1: parse
MalformedError = _define("MalformedError", "malformed", 1, "Too short for the fields its flags announce.")
MagicError = _define("MagicError", "magic", 1, "Bytes 0..1 are not 'W2'.")
SuiteError = _define("SuiteError", "suite", 1, "Suite byte is not 1 (2 and 3 are reserved).")
ReservedError = _define(
    "ReservedError", "reserved", 1,
    "Reserved bytes 6..7 or flag bit 7 not zero, bucket bits set without PADDED, or bucket 3.")
UnsignedError = _define(
    "UnsignedError", "unsigned", 1,
    "A signature is required (WRAPPED, PUBLISH, or the receiver's signReplies/signEveryCall) "
    "but SIGNED is not set.")
FlagsError = _define("FlagsError", "flags", 1, "WRAPPED on a type other than CALL.")
HeaderError = _define(
    "HeaderError", "header", 1,
    "Header field outside its rule: seq 0, non-zero xid on PUBLISH, zero xid elsewhere.")
# step 2: binding to the WAMP message
TypeMismatchError = _define("TypeMismatchError", "type", 2, "The type byte does not match the WAMP message.")
SerializerError = _define(
    "SerializerError", "serializer", 2, "Unknown ser byte, or it differs from enc_serializer/ppt_serializer.")
ProgressError = _define("ProgressError", "progress", 2, "MORE differs from the envelope's progress flag.")
KeyIdError = _define("KeyIdError", "key-id", 2, "enc_key/ppt_keyid differs from hex(kid) of the header.")
# step 3: sender
SenderError = _define(
    "SenderError", "sender", 3,
    "The sender key is not authorized for this URI and role (also: session owner mismatch or no "
    "longer authorized, group key writers list, step 6).")
SignatureError = _define("SignatureError", "signature", 3, "Ed25519 signature does not verify.")
# step 4: freshness
StaleError = _define("StaleError", "stale", 4, "|now - ts| > maxSkew.")
# step 5: replay and exchange
ReplayError = _define(
    "ReplayError", "replay", 5,
    "(spk, sid, seq) already accepted or below the window; reply index not above the last one.")
ExchangeError = _define(
    "ExchangeError", "exchange", 5,
    "Reply or call chunk that does not belong to the pending exchange (no exchange, other xid, "
    "exchange already closed).")
# step 6: keys
UnknownKeyError = _define(
    "UnknownKeyError", "unknown_key", 6,
    "kid names no key this receiver can use for the message.",
    wamp_uri="wamp.error.encryption.unknown_key")
KeyExpiredError = _define("KeyExpiredError", "key-expired", 6, "Group key past not_after + grace.")
WrongRecipientError = _define(
    "WrongRecipientError", "wrong-recipient", 6,
    "A sealed box (key wrap, key bundle entry) is not for any key this receiver holds.")
KeyCommitmentError = _define(
    "KeyCommitmentError", "key-commitment", 6, "The unwrapped key does not hash to kid.")
# step 7: decryption
DecryptError = _define("DecryptError", "decrypt", 7, "AEAD authentication failed.")
PaddingError = _define("PaddingError", "padding", 7, "PADDED payload whose ISO/IEC 7816-4 padding is invalid.")
PlaintextError = _define(
    "PlaintextError", "plaintext", 7,
    "Plaintext does not decode with ser, or is not {args: list, kwargs: map[, uri: string]}.")
# step 8: inner URI
UriError = _define(
    "UriError", "uri", 8,
    "INNER_URI does not re-scramble to the wire URI, or INNER_URI missing/unexpected for the namespace.")
# step 9: validation
InvalidPayloadError = _define(
    "InvalidPayloadError", "invalid", 9, "The validation hook refused the payload.",
    wamp_uri="wamp.error.invalid_argument")
# key packages and key records (§b.8)
KeyPackageError = _define(
    "KeyPackageError", "keypkg", None,
    "Key package or key record malformed, badly signed, expired, or not certified by the pinned authority.")
TofuMismatchError = _define(
    "TofuMismatchError", "tofu-mismatch", None, "TOFU: a different key than the pinned one for this authid and scope.")
# sender side
SealError = _define("SealError", "seal", None, "The sender cannot seal this (configuration or input error).")

ERRORS = {
    cls.code: cls
    for cls in (
        DowngradeError, EnvelopeError, MalformedError, MagicError, SuiteError, ReservedError,
        UnsignedError, FlagsError, HeaderError, TypeMismatchError, SerializerError, ProgressError,
        KeyIdError, SenderError, SignatureError, StaleError, ReplayError, ExchangeError,
        UnknownKeyError, KeyExpiredError, WrongRecipientError, KeyCommitmentError, DecryptError,
        PaddingError, PlaintextError, UriError, InvalidPayloadError, KeyPackageError,
        TofuMismatchError, SealError,
    )
}
