"""x_e2ev2 (wampbox E2E v2, suite 1) for Python: sender (§b.5); the receiver (§b.6) is in
e2ev2_receiver and re-exported here.

An independent implementation of the wire format, used for interop tests and known-answer
vectors. Layout and primitives: e2ev2_wire; plaintext: e2ev2_inner; state: e2ev2_state; URI
scrambling: e2ev2_scramble; key packages: e2ev2_keypkg; refusals: e2ev2_errors.

    sender = Sender(Identity(seed), clock=lambda: now_ms)
    sealed = sender.publish("com.example.t", [1], {}, group_key=GroupKey(k, "com.example."))
    opened = receiver.open("EVENT", "com.example.t", sealed.envelope())
"""

import os
from dataclasses import dataclass, field
from typing import Any

import nacl.signing

from e2ev2_errors import ERRORS, E2eError, SealError  # noqa: F401 (re-exported)
from e2ev2_inner import SER_BY_NAME, SER_NAME, encode_plaintext
from e2ev2_receiver import Envelope, Opened, Receiver, Route  # noqa: F401 (re-exported)
from e2ev2_scramble import Namespace, find_namespace  # noqa: F401
from e2ev2_state import (  # noqa: F401
    CalleeExchange, CallerExchange, CallerSession, GroupKey, ScopeKey, SenderStream, TrustStore,
    system_clock_ms,
)
from e2ev2_wire import (
    CIPHER, SCHEME, T_CALL, T_ERROR, T_PUBLISH, T_YIELD, ZERO_XID, Header, ed25519_pk_to_x25519,
    ed25519_seed_to_x25519_sk, kid, make_flags, pad, seal_box, seal_raw,
)

__all__ = [
    "Identity", "Sender", "Receiver", "Envelope", "Sealed", "Opened", "Route", "seal_message",
    "GroupKey", "ScopeKey", "CallerSession", "CallerExchange", "CalleeExchange", "TrustStore",
    "Namespace", "E2eError", "ERRORS",
]

class Identity:
    """An Ed25519 identity (spk) and the X25519 receiving key converted from it (§b.8.6 (a))."""

    def __init__(self, seed):
        self.seed = bytes(seed)
        self.pk = nacl.signing.SigningKey(self.seed).verify_key.encode()
        self.x25519_sk = ed25519_seed_to_x25519_sk(self.seed)
        self.x25519_pk = ed25519_pk_to_x25519(self.pk)

    @classmethod
    def generate(cls):
        return cls(os.urandom(32))



@dataclass
class Sealed:
    payload: bytes
    type: int
    kid: bytes
    serializer: str
    wire_uri: str
    exchange: Any = None
    debug: dict = field(default_factory=dict)

    def options(self, dialect="autobahn"):
        if dialect == "spec":
            return {"ppt_scheme": SCHEME, "ppt_serializer": self.serializer, "ppt_cipher": CIPHER, "ppt_keyid": self.kid.hex()}
        return {"enc_algo": SCHEME, "enc_serializer": self.serializer, "enc_key": self.kid.hex()}

    def envelope(self, carriage="transparent", dialect="autobahn"):
        if carriage == "argument":
            return Envelope.plain([self.payload], {})
        o = self.options(dialect)
        if dialect == "spec":
            return Envelope.transparent(self.payload, o["ppt_serializer"], o["ppt_keyid"], dialect="spec", cipher=CIPHER)
        return Envelope.transparent(self.payload, o["enc_serializer"], o["enc_key"])



# ---------------------------------------------------------------------------------- sealing


def seal_message(*, type, uri, args, kwargs, ser, key, seed, sid, seq, ts, xid, nonce,
                 clear_uri=None, more=False, bucket=None, signed=False,
                 wrap_session_key=None, scope_pk=None, ephemeral_sk=None):
    """Seal one payload from explicit inputs (every random value given). ``uri`` is the wire URI;
    ``clear_uri`` (with INNER_URI) goes inside. A wrap is made when ``wrap_session_key`` is given.
    Returns seal_raw's dict plus kid, plaintext and padded plaintext."""
    ser_id = SER_BY_NAME[ser] if isinstance(ser, str) else ser
    spk = nacl.signing.SigningKey(seed).verify_key.encode()
    plaintext = encode_plaintext(ser_id, args, kwargs, clear_uri)
    padded = pad(plaintext, bucket) if bucket is not None else plaintext
    wrap = None
    if wrap_session_key is not None:
        wrap = seal_box(wrap_session_key, scope_pk, ephemeral_sk)
    flags = make_flags(more=more, bucket=bucket, inner_uri=clear_uri is not None, signed=signed, wrapped=wrap is not None)
    header = Header(type=type, flags=flags, ser=ser_id, kid=kid(key), spk=spk, sid=sid, seq=seq, ts=ts, xid=xid, nonce=nonce)
    out = seal_raw(header=header, uri=uri, key=key, plaintext=padded, wrap=wrap, signing_seed=seed if signed else None)
    out.update(kid=header.kid, plaintext=plaintext, padded=padded)
    return out


class Sender:
    """Seals PUBLISH, CALL, YIELD and ERROR payloads for one identity and one counter stream."""

    def __init__(self, identity, *, clock=system_clock_ms, random=os.urandom, namespaces=(),
                 stream=None, sign_every_call=False, sign_replies=False, serializer="json"):
        self.identity, self.clock, self.random = identity, clock, random
        self.namespaces = list(namespaces)
        self.stream = stream or SenderStream(random=random)
        self.sign_every_call, self.sign_replies = sign_every_call, sign_replies
        self.serializer = serializer

    def _wire(self, uri):
        if uri.startswith("wamp."):
            raise SealError("wamp.* URIs are never sealed")
        ns = find_namespace(self.namespaces, uri)
        return (ns.scramble(uri), uri) if ns is not None else (uri, None)

    def _seal(self, typ, uri, args, kwargs, key, *, ser, bucket, seq, xid, more=False, signed=False,
              session=None, exchange=None):
        wire, clear = self._wire(uri)
        ser = ser or self.serializer
        eph = self.random(32) if session is not None else None
        out = seal_message(
            type=typ, uri=wire, args=args, kwargs=kwargs, ser=ser, key=key, seed=self.identity.seed,
            sid=self.stream.sid, seq=seq, ts=self.clock(), xid=xid, nonce=self.random(24), clear_uri=clear,
            more=more, bucket=bucket, signed=signed, wrap_session_key=session.key if session else None,
            scope_pk=session.scope_pk if session else None, ephemeral_sk=eph)
        return Sealed(out["payload"], typ, out["kid"], ser if isinstance(ser, str) else SER_NAME[ser], wire, exchange, out)

    def publish(self, topic, args=None, kwargs=None, *, group_key, ser=None, bucket=None):
        return self._seal(T_PUBLISH, topic, args, kwargs, group_key.key, ser=ser, bucket=bucket,
                          seq=self.stream.take(), xid=ZERO_XID, signed=True)

    def call(self, procedure, args=None, kwargs=None, *, session, ser=None, bucket=None, progress=False, exchange=None):
        """One CALL (or one chunk of a progressive call: pass the first chunk's exchange back)."""
        if exchange is None:
            wire, clear = self._wire(procedure)
            exchange = CallerExchange(self.random(16), session.key, wire, procedure)
        elif exchange.sent_final:
            raise SealError("the final chunk of this call was sent")
        wrap = session.need_wrap
        sealed = self._seal(T_CALL, procedure, args, kwargs, session.key, ser=ser, bucket=bucket,
                            seq=self.stream.take(), xid=exchange.xid, more=progress,
                            signed=wrap or self.sign_every_call, session=session if wrap else None, exchange=exchange)
        session.need_wrap = False
        session.calls += 1
        exchange.sent_final = not progress
        return sealed

    def on_unknown_key(self, session):
        """The callee answered wamp.error.encryption.unknown_key: wrap again on the next CALL."""
        session.need_wrap = True

    def reply(self, exchange, args=None, kwargs=None, *, progress=False, ser=None, bucket=None, error_uri=None):
        """YIELD (error_uri None) or ERROR for an INVOCATION that was opened into ``exchange``."""
        if exchange.reply_key is None or exchange.replied_final:
            raise SealError("no open invocation to answer")
        if error_uri is not None and progress:
            raise SealError("an ERROR is final")
        typ, uri = (T_ERROR, error_uri) if error_uri is not None else (T_YIELD, exchange.clear_procedure)
        sealed = self._seal(typ, uri, args, kwargs, exchange.reply_key, ser=ser, bucket=bucket,
                            seq=exchange.next_index, xid=exchange.xid, more=progress, signed=self.sign_replies,
                            exchange=exchange)
        exchange.next_index += 1
        exchange.replied_final = not progress
        return sealed

    def error(self, exchange, error_uri, args=None, kwargs=None, **kw):
        return self.reply(exchange, args, kwargs, error_uri=error_uri, **kw)


