"""Shared set-up for the unittest modules: identities, keys, a controllable clock, and a world
with a publisher, a reader, a caller and a callee."""

import copy
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2ev2 import (  # noqa: E402
    CallerSession, GroupKey, Identity, Receiver, Route, ScopeKey, Sender, TrustStore,
)
from e2ev2_scramble import Namespace  # noqa: E402
from e2ev2_wire import x25519_public  # noqa: E402

T0 = 1767225600000


def fixed(label, n=32):
    return hashlib.blake2b(label.encode(), key=b"e2ev2 unit tests", digest_size=n).digest()


class Clock:
    def __init__(self, now=T0):
        self.now = now

    def __call__(self):
        return self.now


class CountingRandom:
    """Deterministic 'randomness' for senders (distinct values on every call)."""

    def __init__(self, label):
        self.label, self.n = label, 0

    def __call__(self, size):
        self.n += 1
        return fixed(f"{self.label}:{self.n}", size)


class World:
    """alice publishes on com.example.news.; mallory reads it; dave calls com.example.rpc.; erin answers."""

    def __init__(self, **receiver_kw):
        self.clock = Clock()
        self.alice, self.mallory, self.dave, self.erin, self.carol = (
            Identity(fixed("seed:" + n)) for n in ("alice", "mallory", "dave", "erin", "carol"))
        self.gk = GroupKey(fixed("gk"), "com.example.news.")
        self.gk_s = GroupKey(fixed("gk:s"), "com.example.s.")
        self.scope_sk = fixed("scope")
        self.scope_pk = x25519_public(self.scope_sk)
        self.ns = Namespace.from_master(fixed("master"), "com.example.s.")
        self.trust = TrustStore([
            (self.alice.pk, "com.example.news.", ["publish"]),
            (self.alice.pk, "com.example.s.", ["publish"]),
            (self.carol.pk, "com.example.other.", ["publish"]),
            (self.dave.pk, "com.example.rpc.", ["call"]),
            (self.dave.pk, "com.example.s.", ["call"]),
            (self.erin.pk, "com.example.rpc.", ["answer"]),
            (self.erin.pk, "com.example.s.", ["answer"]),
        ])
        kw = dict(clock=self.clock, trust=self.trust, namespaces=[self.ns])
        self.subscriber = Receiver(group_keys=[self.gk, self.gk_s], **kw, **receiver_kw)
        self.callee = Receiver(scope_keys=[ScopeKey("com.example.rpc.", self.scope_sk), ScopeKey("com.example.s.", self.scope_sk)],
                               **kw, **receiver_kw)
        self.caller_rx = Receiver(**kw, **receiver_kw)
        self.pub = Sender(self.alice, clock=self.clock, random=CountingRandom("alice"), namespaces=[self.ns])
        self.forger = Sender(self.mallory, clock=self.clock, random=CountingRandom("mallory"))
        self.caller = Sender(self.dave, clock=self.clock, random=CountingRandom("dave"), namespaces=[self.ns])
        self.answer = Sender(self.erin, clock=self.clock, random=CountingRandom("erin"), namespaces=[self.ns])
        self.session = CallerSession(fixed("ks"), "com.example.rpc.", self.scope_pk)

    def snapshot(self, receiver):
        """Everything a refusal must leave unchanged."""
        return copy.deepcopy((
            [(k, w.top, w.bits) for k, w in receiver.windows._windows.items()],
            {k: (s.key, s.owner, s.scope) for k, s in receiver.sessions._d.items()},
        ))


__all__ = ["World", "Clock", "CountingRandom", "fixed", "T0", "Route", "Receiver", "Sender", "Identity",
           "GroupKey", "ScopeKey", "TrustStore", "CallerSession"]
