"""The pull key service of §b.8.3 (README, Decision 20) as plain logic: which key.get call is
answered with which key, and how a reader checks the answer. The live peer (peer_e2ev2.py, through
e2ev2_peer_keys.py) seals and sends; this module decides. Nothing here prints or logs key material.

A key.get call is answered only when its *authenticated* caller (the spk a sealed CALL was opened
for: the signer of the session's first call, or the session owner that the receiver checked) holds
the ``read`` role on the requested URI in the service's trust store, and the requested key's scope
covers that URI. The router's ``caller_authid`` plays no part.
"""

from dataclasses import dataclass, field

from e2ev2_errors import KeyPackageError
from e2ev2_keypkg import key_get_reply, parse_key_get_reply
from e2ev2_state import GroupKey, prefix_covers
from e2ev2_wire import HEADER_LEN, Header

# Sealed application errors of the key service (the ERROR binds its URI in the AAD; wamp.* URIs are
# never sealed, so none of these is a wamp.error.*).
BAD_REQUEST = "wampbox.e2e.error.invalid_request"  # not exactly args [] and kwargs {kid: 16 bytes, uri: text}
NOT_ENTITLED = "wampbox.e2e.error.not_entitled"  # no read grant on uri, or the key's scope does not cover uri
NO_SUCH_KEY = "wampbox.e2e.error.no_such_key"  # an entitled reader asked for a kid the service does not hold

H = bytes.fromhex


def group_key_from_json(d):
    """A GroupKey from the peer's JSON form {key (hex), scope?, not_after? (ms), writers? ([hex])}."""
    writers = d.get("writers")
    return GroupKey(H(d["key"]), d.get("scope", ""), d.get("not_after"),
                    None if writers is None else [H(w) for w in writers])


@dataclass
class KeyAnswer:
    """What the service answers: ``error`` None and the reply kwargs, or an error URI. ``log`` holds
    what may be printed (kid and uri as asked, never the key)."""

    error: str = None
    kwargs: dict = field(default_factory=dict)
    log: dict = field(default_factory=dict)


class KeyService:
    """Group keys by kid, served to readers the trust store grants ``read`` on the asked URI."""

    def __init__(self, trust, keys=()):
        self.trust = trust
        self.keys = {}
        for g in keys:
            self.add(g)

    def add(self, g):
        self.keys[g.kid] = g

    def answer(self, reader, args, kwargs):
        """The answer to one opened key.get call from the authenticated ``reader`` spk."""
        k_id, uri = (kwargs or {}).get("kid"), (kwargs or {}).get("uri")
        log = {"reader": reader.hex() if reader else None,
               "kid": bytes(k_id).hex() if isinstance(k_id, (bytes, bytearray)) else None,
               "uri": uri if isinstance(uri, str) else None}
        well_formed = (not args and isinstance(kwargs, dict) and set(kwargs) == {"kid", "uri"}
                       and isinstance(k_id, (bytes, bytearray)) and len(k_id) == 16 and isinstance(uri, str))
        if not well_formed:
            return KeyAnswer(BAD_REQUEST, log=dict(log, reason="malformed request"))
        # the grant first: a reader without one learns nothing, not even whether the kid exists
        if reader is None or not self.trust.allows(bytes(reader), uri, "read"):
            return KeyAnswer(NOT_ENTITLED, log=dict(log, reason="no read grant on uri"))
        g = self.keys.get(bytes(k_id))
        if g is None:
            return KeyAnswer(NO_SUCH_KEY, log=dict(log, reason="unknown kid"))
        if not prefix_covers(g.scope, uri):
            return KeyAnswer(NOT_ENTITLED, log=dict(log, reason="the key's scope does not cover uri"))
        return KeyAnswer(None, key_get_reply(g), dict(log, scope=g.scope))


def check_key_reply(args, kwargs, asked_kid):
    """The reader's check of a key.get YIELD (Decision 20): the GroupKey, or KeyPackageError
    (malformed) / KeyCommitmentError (KID(key) is not the kid asked for)."""
    if args or not isinstance(kwargs, dict) or not set(kwargs) <= {"kid", "key", "scope", "not_after", "writers"}:
        raise KeyPackageError("malformed key.get reply")
    not_after, writers = kwargs.get("not_after"), kwargs.get("writers")
    if not isinstance(kwargs.get("scope"), str) or isinstance(not_after, bool) \
            or not (not_after is None or isinstance(not_after, int)) \
            or not (writers is None or (isinstance(writers, list)
                                        and all(isinstance(w, (bytes, bytearray)) and len(w) == 32 for w in writers))):
        raise KeyPackageError("malformed key.get reply")
    return parse_key_get_reply(kwargs, bytes(asked_kid))


def payload_kid(envelope):
    """The header kid (hex) of a sealed payload as it arrived, or None (for refusal lines)."""
    data = envelope.payload if envelope.carriage == "transparent" else (
        envelope.args[0] if isinstance(envelope.args, (list, tuple)) and len(envelope.args) == 1 else None)
    if not isinstance(data, (bytes, bytearray)) or len(data) < HEADER_LEN:
        return None
    return Header.unpack(bytes(data[:HEADER_LEN])).kid.hex()
