"""Receiver and sender state of x_e2ev2: replay windows (§b.7), trust store (§b.8.2), key stores,
session caches and exchanges (§b.13). Checks never change state; ``commit`` does.
"""

import os
import time
from collections import OrderedDict

from e2ev2_errors import ReplayError, SealError
from e2ev2_wire import kid as key_id
from e2ev2_wire import reply_key, x25519_public

ROLE_FOR_TYPE = {1: "publish", 2: "call", 3: "answer", 4: "answer"}
ROLES = ("publish", "read", "call", "answer")


def prefix_covers(prefix, uri):
    """Dot-aware prefix: '' covers every URI; 'a.b.' covers 'a.b.*'; 'a.b' covers 'a.b' and 'a.b.*'
    (never 'a.bx')."""
    if prefix == "":
        return True
    if prefix.endswith("."):
        return uri.startswith(prefix)
    return uri == prefix or uri.startswith(prefix + ".")


def longest(items, uri, prefix_of=lambda x: x.prefix):
    best = None
    for it in items:
        p = prefix_of(it)
        if prefix_covers(p, uri) and (best is None or len(p) > len(prefix_of(best))):
            best = it
    return best


def system_clock_ms():
    return time.time_ns() // 1_000_000


# ---------------------------------------------------------------------------------- replay


class ReplayWindow:
    """IPsec-style sliding window (RFC 4303 §3.4.3, RFC 6479) over u64 sequence numbers.

    ``top`` is the highest accepted seq (0: none yet); bit i of ``bits`` says top - i was accepted.
    Accepted: seq > top, or top - size < seq <= top with its bit clear. Refused: seq <= top - size
    ("below the window") or already accepted.
    """

    __slots__ = ("top", "bits")

    def __init__(self):
        self.top = 0
        self.bits = 0

    def check(self, seq, size):
        if seq > self.top:
            return None
        diff = self.top - seq
        if diff >= size:
            return "below the window"
        if (self.bits >> diff) & 1:
            return "already accepted"
        return None

    def commit(self, seq, size):
        if seq > self.top:
            shift = seq - self.top
            self.bits = ((self.bits << shift) | 1) & ((1 << size) - 1) if shift < size else 1
            self.top = seq
        else:
            self.bits |= 1 << (self.top - seq)


class WindowStore:
    """Windows per (spk, sid), LRU-bounded per sender and overall. An evicted window is forgotten:
    a replay of its messages within maxSkew is then accepted once, as after a restart (§b.7)."""

    def __init__(self, size=1024, per_sender=64, total=4096):
        if size < 1 or per_sender < 1 or total < 1:
            raise ValueError("window bounds must be positive")
        self.size, self.per_sender, self.total = size, per_sender, total
        self._windows = OrderedDict()  # (spk, sid) -> ReplayWindow, least recently used first
        self._per_spk = {}  # spk -> OrderedDict of sid -> None

    def __len__(self):
        return len(self._windows)

    def senders(self):
        return len(self._per_spk)

    def windows_of(self, spk):
        return len(self._per_spk.get(spk, ()))

    def check(self, spk, sid, seq):
        w = self._windows.get((spk, sid))
        why = w.check(seq, self.size) if w is not None else None
        if why:
            raise ReplayError(f"seq {seq}: {why}")

    def commit(self, spk, sid, seq):
        k = (spk, sid)
        w = self._windows.get(k)
        if w is None:
            sids = self._per_spk.setdefault(spk, OrderedDict())
            if len(sids) >= self.per_sender:
                old, _ = sids.popitem(last=False)
                del self._windows[(spk, old)]
            while len(self._windows) >= self.total:
                (ospk, osid), _ = self._windows.popitem(last=False)
                osids = self._per_spk[ospk]
                del osids[osid]
                if not osids:
                    del self._per_spk[ospk]
            w = self._windows[k] = ReplayWindow()
            self._per_spk.setdefault(spk, OrderedDict())[sid] = None
        else:
            self._windows.move_to_end(k)
            self._per_spk[spk].move_to_end(sid)
        w.commit(seq, self.size)


# ---------------------------------------------------------------------------------- trust


class TrustStore:
    """Which Ed25519 keys may act in which role on which URI prefixes (static mode; key packages
    and role certificates add grants through e2ev2_keypkg)."""

    def __init__(self, grants=()):
        self._grants = []  # (spk, prefix, frozenset(roles))
        for g in grants:
            self.grant(*g)

    def grant(self, spk, prefix, roles):
        roles = frozenset([roles] if isinstance(roles, str) else roles)
        if not roles <= set(ROLES):
            raise ValueError(f"unknown role in {sorted(roles)}")
        self._grants.append((bytes(spk), prefix, roles))

    def revoke(self, spk):
        self._grants = [g for g in self._grants if g[0] != spk]

    def allows(self, spk, uri, role):
        return any(g_spk == spk and role in roles and prefix_covers(p, uri) for g_spk, p, roles in self._grants)


# ---------------------------------------------------------------------------------- keys


class GroupKey:
    """K_g with its scope (URI prefix), optional not_after (ms) and optional writers (spks)."""

    def __init__(self, key, scope="", not_after=None, writers=None):
        if len(key) != 32:
            raise SealError("a group key is 32 bytes")
        self.key, self.kid, self.scope = bytes(key), key_id(key), scope
        self.not_after = not_after
        self.writers = None if writers is None else [bytes(w) for w in writers]


class ScopeKey:
    """The callee scope's X25519 key pair for a procedure prefix (secret part only at callees)."""

    def __init__(self, prefix, sk=None, pk=None):
        self.prefix = prefix
        self.sk = sk
        self.pk = pk if pk is not None else x25519_public(sk)


class CalleeSession:
    __slots__ = ("key", "owner", "scope")

    def __init__(self, key, owner, scope):
        self.key, self.owner, self.scope = key, owner, scope


class SessionCache:
    """Callee side: K_s by kid, with its owner (caller spk) and scope prefix; LRU-bounded."""

    def __init__(self, limit=4096):
        self.limit = limit
        self._d = OrderedDict()

    def get(self, k):
        return self._d.get(k)

    def put(self, k, session):
        self._d[k] = session
        self._d.move_to_end(k)
        while len(self._d) > self.limit:
            self._d.popitem(last=False)

    def drop(self, k):
        self._d.pop(k, None)

    def __len__(self):
        return len(self._d)


class CallerSession:
    """Caller side: K_s for (this identity, callee scope). The next CALL is WRAPPED while
    ``need_wrap`` (new session, or after the callee answered unknown_key)."""

    def __init__(self, key, scope_prefix, scope_pk, ephemeral=None):
        self.key, self.kid = bytes(key), key_id(key)
        self.scope_prefix, self.scope_pk = scope_prefix, scope_pk
        self.need_wrap = True
        self.calls = 0

    @classmethod
    def new(cls, scope_prefix, scope_pk, random=os.urandom):
        return cls(random(32), scope_prefix, scope_pk)


class CallerExchange:
    """One CALL at the caller: its xid, the reply key and the progress of its results."""

    def __init__(self, xid, session_key, procedure, clear_procedure=None):
        self.xid, self.session_key, self.procedure = bytes(xid), bytes(session_key), procedure
        self.clear_procedure = clear_procedure if clear_procedure is not None else procedure
        self.reply_key = reply_key(self.session_key, self.xid)
        self.reply_kid = key_id(self.reply_key)
        self.last_index = 0
        self.closed = False
        self.sent_final = False  # progressive call chunks: the final chunk was sent


class CalleeExchange:
    """One INVOCATION at the callee (all chunks of a progressive call share it)."""

    def __init__(self):
        self.xid = None
        self.session_key = None
        self.reply_key = None
        self.reply_kid = None
        self.procedure = None
        self.clear_procedure = None
        self.caller = None
        self.call_closed = False  # the final chunk of the call has arrived
        self.next_index = 1  # next YIELD/ERROR index to send
        self.replied_final = False


class SenderStream:
    """A counter instance: random sid, seq counting up from 1 (§b.5)."""

    def __init__(self, sid=None, random=os.urandom, first_seq=1):
        self.sid = sid if sid is not None else random(8)
        if len(self.sid) != 8:
            raise SealError("sid is 8 bytes")
        self.next_seq = first_seq

    def take(self):
        if self.next_seq >= 1 << 64:
            raise SealError("stream exhausted: start a new sid")
        seq = self.next_seq
        self.next_seq += 1
        return seq
