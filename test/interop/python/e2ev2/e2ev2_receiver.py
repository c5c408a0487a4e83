"""x_e2ev2 receiver (§b.6): the envelope and carriage check (§b.9, §b.16), then steps 1..10 in
the spec's order. A refusal raises the E2eError of the first failed check and changes no state;
state (windows, session cache, exchange progress) is committed only after every check passed.
"""

from dataclasses import dataclass
from typing import Any, Optional

from e2ev2_errors import (
    DecryptError, DowngradeError, E2eError, EnvelopeError, ExchangeError, FlagsError, HeaderError,
    InvalidPayloadError, KeyCommitmentError, KeyExpiredError, KeyIdError, MagicError,
    MalformedError, PaddingError, ProgressError, ReplayError, ReservedError, SenderError,
    SerializerError, SignatureError, StaleError, SuiteError, TypeMismatchError, UnknownKeyError,
    UnsignedError, UriError, WrongRecipientError,
)
from e2ev2_inner import SER_BY_NAME, SER_NAME, decode_plaintext
from e2ev2_scramble import find_namespace
from e2ev2_state import (
    ROLE_FOR_TYPE, CalleeExchange, CalleeSession, CallerExchange, SessionCache, TrustStore,
    WindowStore, longest, prefix_covers, system_clock_ms,
)
from e2ev2_wire import (
    BUCKETS, CIPHER, F_BUCKET_MASK, F_PADDED, F_RESERVED, F_SIGNED, F_WRAPPED, HEADER_LEN, MAGIC,
    SCHEME, SIG_LEN, SUITE, T_CALL, T_ERROR, T_PUBLISH, T_YIELD, TAG_LEN, TYPE_FOR_WAMP, WRAP_LEN,
    ZERO_XID, Header, aad, decrypt, kid, open_box, reply_key, sig_input, unpad, verify,
)

# ---------------------------------------------------------------------------------- envelopes


@dataclass
class Envelope:
    """How a payload arrived. ``transparent``: payload bytes with enc_*/ppt_* details;
    ``plain``: ordinary args/kwargs (plaintext, or argument carriage = args [binary], no kwargs)."""

    carriage: str
    payload: Any = None
    scheme: Optional[str] = None
    serializer: Optional[str] = None
    key_id: Optional[str] = None
    cipher: Optional[str] = None
    dialect: str = "autobahn"
    args: Any = None
    kwargs: Any = None

    @classmethod
    def transparent(cls, payload, serializer=None, key_id=None, scheme=SCHEME, dialect="autobahn", cipher=None):
        return cls("transparent", payload, scheme, serializer, key_id, cipher, dialect)

    @classmethod
    def plain(cls, args=None, kwargs=None):
        return cls("plain", args=args, kwargs=kwargs)

    @classmethod
    def from_details(cls, details, payload_or_args, kwargs=None):
        """From WAMP Options/Details: enc_* (Autobahn dialect) or ppt_* (spec dialect)."""
        d = details or {}
        if d.get("enc_algo") is not None:
            return cls.transparent(payload_or_args, d.get("enc_serializer"), d.get("enc_key"), d["enc_algo"])
        if d.get("ppt_scheme") is not None:
            p = payload_or_args
            if isinstance(p, (list, tuple)) and len(p) == 1:
                p = p[0]
            else:
                p = None
            return cls.transparent(p, d.get("ppt_serializer"), d.get("ppt_keyid"), d["ppt_scheme"], "spec", d.get("ppt_cipher"))
        return cls.plain(payload_or_args, kwargs)



@dataclass
class Opened:
    wamp: str
    args: list
    kwargs: dict
    uri: str  # clear URI (inner URI when scrambled)
    wire_uri: str
    spk: Optional[bytes] = None
    author: Optional[bytes] = None  # authenticated sender (None: unsigned reply, spk is a claim)
    signed: bool = False
    stale: bool = False
    more: bool = False
    kid: Optional[bytes] = None
    sid: Optional[bytes] = None
    seq: Optional[int] = None
    ts: Optional[int] = None
    xid: Optional[bytes] = None
    carriage: Optional[str] = None
    authenticated: bool = True  # False: plaintext router error (wamp.error.*) for a sealed call
    passthrough: bool = False  # route not configured for x_e2ev2: delivered as it came
    exchange: Any = None


@dataclass
class Route:
    """Which scheme a URI prefix uses and which carriages it accepts (§b.9, §b.16)."""

    prefix: str
    scheme: str = SCHEME  # "x_e2ev2", "cryptobox" or "plaintext"
    carriages: tuple = ("transparent", "argument")



# ---------------------------------------------------------------------------------- receiving


class Receiver:
    """Opens payloads with the checks of §b.6 in order; state changes only after all passed."""

    def __init__(self, *, clock=system_clock_ms, trust=None, group_keys=(), scope_keys=(), namespaces=(),
                 routes=None, max_skew_ms=300_000, window_size=1024, windows_per_sender=64,
                 windows_total=4096, sessions_limit=4096, sign_replies=False, sign_every_call=False,
                 key_grace_ms=0, validate=None):
        self.clock = clock
        self.trust = trust if trust is not None else TrustStore()
        self.group_keys = {}
        for g in group_keys:
            self.add_group_key(g)
        self.scope_keys = list(scope_keys)
        self.namespaces = list(namespaces)
        self.routes = list(routes) if routes is not None else [Route("")]
        self.max_skew_ms, self.key_grace_ms = max_skew_ms, key_grace_ms
        self.windows = WindowStore(window_size, windows_per_sender, windows_total)
        self.sessions = SessionCache(sessions_limit)
        self.sign_replies, self.sign_every_call = sign_replies, sign_every_call
        self.validate = validate

    def add_group_key(self, g):
        self.group_keys[g.kid] = g

    def add_session(self, key, owner, scope):
        self.sessions.put(kid(key), CalleeSession(bytes(key), bytes(owner), scope))

    def route(self, uri):
        r = longest(self.routes, uri)
        return r if r is not None and not uri.startswith("wamp.") else Route(uri, "plaintext")

    # -- step 0: envelope and carriage ---------------------------------------------------------

    def open(self, wamp, uri, envelope, *, exchange=None, progress=False, retained=False):
        """Open one payload. ``wamp``: EVENT, INVOCATION, RESULT or ERROR; ``uri``: the topic,
        procedure or error URI it arrived on (RESULT: ignored, the exchange's procedure is used);
        ``exchange``: the CallerExchange of the call (RESULT/ERROR) or the CalleeExchange of the
        invocation (INVOCATION; created when None and returned in the result's ``exchange``)."""
        if wamp not in TYPE_FOR_WAMP:
            raise ValueError(f"unknown WAMP message {wamp!r}")
        if wamp in ("RESULT", "ERROR"):
            route_uri = exchange.procedure if isinstance(exchange, CallerExchange) else (uri or "")
        else:
            route_uri = uri
        route = self.route(route_uri)
        sealed_call = isinstance(exchange, CallerExchange)
        v2_route = route.scheme == SCHEME or sealed_call
        router_error = sealed_call and wamp == "ERROR" and (uri or "").startswith("wamp.error.")
        carriage, data, env_ser, env_kid = self._carriage(envelope, route, v2_route, router_error)
        if carriage is None:  # not x_e2ev2, and acceptable as it is
            return Opened(wamp, envelope.args, envelope.kwargs, uri, uri, authenticated=False,
                          passthrough=True, exchange=exchange)
        if wamp in ("RESULT", "ERROR") and not sealed_call:
            raise ExchangeError("sealed reply without a pending sealed call")
        if wamp == "INVOCATION" and exchange is None:
            exchange = CalleeExchange()
        bound = exchange.procedure if wamp == "RESULT" else uri
        opened = self._open(wamp, bound, data, env_ser, env_kid, progress, retained and wamp == "EVENT", exchange)
        opened.carriage = carriage
        opened.exchange = exchange
        return opened

    def _carriage(self, env, route, v2_route, router_error=False):
        """-> (carriage, payload, envelope serializer, envelope key id), or (None, ...) for a
        non-v2 payload on a non-v2 route or a plaintext wamp.error.* answering a sealed call (the
        router's own errors: delivered as unauthenticated)."""
        if env.carriage == "transparent":
            if env.scheme != SCHEME:
                if v2_route:
                    raise DowngradeError(f"{env.scheme!r} payload on an x_e2ev2 URI")
                return None, None, None, None
            if not v2_route:
                raise DowngradeError(f"x_e2ev2 payload on a {route.scheme} URI")
            if "transparent" not in route.carriages:
                raise DowngradeError("transparent carriage not allowed on this URI")
            if not isinstance(env.payload, (bytes, bytearray, memoryview)):
                raise EnvelopeError("transparent payload is not binary")
            if env.cipher is not None and env.cipher != CIPHER:
                raise EnvelopeError("ppt_cipher is not xchacha20poly1305")
            return "transparent", bytes(env.payload), env.serializer, env.key_id
        args, kwargs = env.args, env.kwargs
        one_binary = (isinstance(args, (list, tuple)) and len(args) == 1
                      and isinstance(args[0], (bytes, bytearray, memoryview)) and not kwargs)
        if not v2_route:
            return None, None, None, None
        if one_binary and "argument" in route.carriages:
            return "argument", bytes(args[0]), None, None
        if router_error:
            return None, None, None, None
        raise DowngradeError("plaintext on an x_e2ev2 URI")

    # -- steps 1..10 -------------------------------------------------------------------------

    def _open(self, wamp, uri, data, env_ser, env_kid, progress, retained, exchange):
        n = len(data)
        # 1. parse
        if n < 5:
            raise MalformedError("shorter than 5 bytes")
        flags = data[4]
        body_start = HEADER_LEN + (WRAP_LEN if flags & F_WRAPPED else 0)
        sig_len = SIG_LEN if flags & F_SIGNED else 0
        if n < body_start + TAG_LEN + sig_len:
            raise MalformedError(f"{n} bytes, flags need at least {body_start + TAG_LEN + sig_len}")
        h = Header.unpack(data[:HEADER_LEN])
        if data[:2] != MAGIC:
            raise MagicError()
        if h.suite != SUITE:
            raise SuiteError(f"suite {h.suite}")
        if h.reserved != 0 or flags & F_RESERVED or (not flags & F_PADDED and flags & F_BUCKET_MASK) \
                or (flags & F_PADDED and h.bucket == 3):
            raise ReservedError()
        if h.wrapped and not h.signed:
            raise UnsignedError("WRAPPED without SIGNED")
        if h.wrapped and h.type != T_CALL:
            raise FlagsError("WRAPPED on a type other than CALL")
        if h.type == T_PUBLISH and not h.signed:
            raise UnsignedError("PUBLISH without SIGNED")
        if not h.signed and ((h.type == T_CALL and self.sign_every_call) or (h.type in (T_YIELD, T_ERROR) and self.sign_replies)):
            raise UnsignedError("this receiver requires a signature")
        if h.seq == 0:
            raise HeaderError("seq 0")
        if h.type == T_PUBLISH and h.xid != ZERO_XID:
            raise HeaderError("PUBLISH with a non-zero xid")
        if h.type in (T_CALL, T_YIELD, T_ERROR) and h.xid == ZERO_XID:
            raise HeaderError("zero xid")
        # 2. binding to the WAMP message and the envelope
        if h.type != TYPE_FOR_WAMP[wamp]:
            raise TypeMismatchError(f"type {h.type} in a {wamp}")
        if h.ser not in SER_NAME or (env_ser is not None and SER_BY_NAME.get(env_ser) != h.ser):
            raise SerializerError(f"ser {h.ser}, envelope {env_ser!r}")
        if h.more != bool(progress):
            raise ProgressError(f"MORE {int(h.more)}, progress {bool(progress)}")
        if env_kid is not None and env_kid != h.kid.hex():
            raise KeyIdError()
        # 3. sender and signature
        authz_uri = exchange.procedure if h.type in (T_YIELD, T_ERROR) else uri
        if h.signed:
            if not self.trust.allows(h.spk, authz_uri, ROLE_FOR_TYPE[h.type]):
                raise SenderError(f"spk not authorized to {ROLE_FOR_TYPE[h.type]} on this URI")
            if not verify(h.spk, sig_input(uri, data[:n - SIG_LEN]), data[n - SIG_LEN:]):
                raise SignatureError()
        # 4. freshness
        now = self.clock()
        if self.max_skew_ms and not retained and abs(now - h.ts) > self.max_skew_ms:
            raise StaleError(f"ts off by {now - h.ts} ms")
        # 5. replay / exchange
        if h.type in (T_PUBLISH, T_CALL):
            self.windows.check(h.spk, h.sid, h.seq)
            if h.type == T_CALL and exchange.xid is not None:
                if exchange.call_closed or h.xid != exchange.xid or h.kid != kid(exchange.session_key):
                    raise ExchangeError("chunk does not continue this call")
        else:
            if exchange.closed or h.xid != exchange.xid:
                raise ExchangeError("no pending exchange with this xid")
            if h.seq <= exchange.last_index:
                raise ReplayError(f"result index {h.seq} after {exchange.last_index}")
        # 6. key
        new_session = None
        if h.type == T_PUBLISH:
            g = self.group_keys.get(h.kid)
            if g is None or not prefix_covers(g.scope, uri):
                raise UnknownKeyError("no group key with this kid for this URI")
            if g.not_after is not None and now > g.not_after + self.key_grace_ms:
                raise KeyExpiredError()
            if g.writers is not None and h.spk not in g.writers:
                raise SenderError("spk not among the key's writers")
            key = g.key
        elif h.type == T_CALL:
            scope = longest([s for s in self.scope_keys if s.sk is not None], uri)
            if h.wrapped:
                if scope is None:
                    raise WrongRecipientError("no callee scope key for this URI")
                key = open_box(data[HEADER_LEN:HEADER_LEN + WRAP_LEN], scope.sk)
                if key is None:
                    raise WrongRecipientError("the wrap does not open with the scope key")
                if kid(key) != h.kid:
                    raise KeyCommitmentError()
                cached = self.sessions.get(h.kid)
                if cached is not None and cached.owner != h.spk:
                    raise SenderError("session key already bound to another caller")
                new_session = CalleeSession(key, h.spk, scope.prefix)
            else:
                s = self.sessions.get(h.kid)
                if s is None or scope is None or s.scope != scope.prefix:
                    raise UnknownKeyError("no session with this kid for this URI")
                if s.owner != h.spk:
                    raise SenderError("spk is not the session's owner")
                if not self.trust.allows(h.spk, uri, "call"):
                    raise SenderError("session owner no longer authorized to call")
                key = s.key
        else:
            if h.kid != exchange.reply_kid:
                raise UnknownKeyError("kid is not the exchange's reply key")
            key = exchange.reply_key
        # 7. decrypt, unpad, deserialize
        pt = decrypt(key, h.nonce, data[body_start:n - sig_len], aad(uri, data[:body_start]))
        if pt is None:
            raise DecryptError()
        if h.padded:
            pt = unpad(pt, h.bucket)
            if pt is None:
                raise PaddingError(f"bucket {BUCKETS[h.bucket]}")
        args, kwargs, inner = decode_plaintext(h.ser, pt, h.inner_uri)
        # 8. inner URI
        ns = find_namespace(self.namespaces, uri)
        if h.inner_uri:
            if ns is None:
                raise UriError("INNER_URI on a URI outside every scrambled namespace")
            try:
                ok = ns.scramble(inner) == uri
            except E2eError:
                ok = False
            if not ok:
                raise UriError("inner URI does not scramble to the wire URI")
            clear = inner
        else:
            if ns is not None:
                raise UriError("scrambled namespace without INNER_URI")
            clear = uri
        # 9. validation hook
        if self.validate is not None:
            try:
                self.validate(wamp, clear, args, kwargs)
            except InvalidPayloadError:
                raise
            except Exception as e:
                raise InvalidPayloadError(type(e).__name__) from None
        # 10. commit
        if h.type in (T_PUBLISH, T_CALL):
            self.windows.commit(h.spk, h.sid, h.seq)
        if new_session is not None:
            self.sessions.put(h.kid, new_session)
        if h.type == T_CALL:
            if exchange.xid is None:
                exchange.xid, exchange.session_key, exchange.caller = h.xid, key, h.spk
                exchange.reply_key = reply_key(key, h.xid)
                exchange.reply_kid = kid(exchange.reply_key)
                exchange.procedure, exchange.clear_procedure = uri, clear
            exchange.call_closed = not h.more
        elif h.type in (T_YIELD, T_ERROR):
            exchange.last_index = h.seq
            exchange.closed = h.type == T_ERROR or not h.more
        author = h.spk if (h.signed or h.type == T_CALL or h.type == T_PUBLISH) else None
        return Opened(wamp, args, kwargs, clear, uri, h.spk, author, h.signed, retained, h.more, h.kid,
                      h.sid, h.seq, h.ts, h.xid)


