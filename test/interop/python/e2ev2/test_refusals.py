"""Every refusal: the right error identifier, and no state change."""

import random
import unittest

from e2ev2_testkit import World
from e2ev2 import E2eError, Envelope, Receiver, Route, ERRORS
from e2ev2_errors import InvalidPayloadError
from e2ev2_state import CallerSession, GroupKey
from e2ev2 import seal_message
from e2ev2_wire import F_SIGNED, Header, kid, make_flags, seal_box, seal_raw, x25519_public


def flip(b, i, mask=1):
    b = bytearray(b)
    b[i] ^= mask
    return bytes(b)


class Refusals(unittest.TestCase):
    def assertRefused(self, code, receiver, world, *args, **kw):
        before = world.snapshot(receiver)
        with self.assertRaises(E2eError) as cm:
            receiver.open(*args, **kw)
        self.assertEqual(cm.exception.code, code, str(cm.exception))
        self.assertIsInstance(cm.exception, ERRORS[code])
        self.assertEqual(world.snapshot(receiver), before, "a refusal changed receiver state")
        return cm.exception

    def setUp(self):
        self.w = World()
        w = self.w
        self.pub = w.pub.publish("com.example.news.a", [1], {}, group_key=w.gk)
        self.p = self.pub.payload

    def ev(self, data, **kw):
        return self.w.subscriber, self.w, "EVENT", kw.pop("uri", "com.example.news.a"), Envelope.transparent(data, kw.pop("ser", None))

    def test_parse_errors(self):
        p = self.p
        cases = [
            ("malformed", p[:0]), ("malformed", p[:119]), ("malformed", p[:199]),
            ("magic", flip(p, 1)), ("suite", bytes([*p[:2], 3, *p[3:]])), ("reserved", flip(p, 6)),
            ("reserved", flip(p, 4, 0x80)), ("reserved", flip(p, 4, 0x40)),
            ("unsigned", flip(p[:-64], 4, F_SIGNED)), ("signature", p[:-1]),
        ]
        for code, data in cases:
            with self.subTest(code=code, n=len(data)):
                self.assertRefused(code, *self.ev(data))

    def test_binding_errors(self):
        w = self.w
        self.assertRefused("serializer", w.subscriber, w, "EVENT", "com.example.news.a", Envelope.transparent(self.p, "cbor"))
        self.assertRefused("key-id", w.subscriber, w, "EVENT", "com.example.news.a", Envelope.transparent(self.p, "json", "00" * 16))
        self.assertRefused("progress", w.subscriber, w, "EVENT", "com.example.news.a", self.pub.envelope(), progress=True)
        self.assertRefused("type", w.callee, w, "INVOCATION", "com.example.news.a", self.pub.envelope())

    def test_sender_and_signature(self):
        w = self.w
        forged = w.forger.publish("com.example.news.a", ["x"], {}, group_key=w.gk)
        self.assertRefused("sender", *self.ev(forged.payload))
        spliced = forged.payload[:24] + w.alice.pk + forged.payload[56:]
        self.assertRefused("signature", *self.ev(spliced))
        self.assertRefused("signature", *self.ev(self.p, uri="com.example.news.b"))
        # a publisher of another prefix
        carol = type(w.pub)(w.carol, clock=w.clock)
        self.assertRefused("sender", *self.ev(carol.publish("com.example.news.a", [], {}, group_key=w.gk).payload))

    def test_freshness_boundaries(self):
        w = self.w
        w.clock.now += 300_001
        self.assertRefused("stale", *self.ev(self.p))
        w.clock.now -= 1
        w.subscriber.open("EVENT", "com.example.news.a", self.pub.envelope())
        w.clock.now = self.w.clock.now - 600_001
        s = w.pub.publish("com.example.news.a", [2], {}, group_key=w.gk)
        w.clock.now += 600_001
        self.assertRefused("stale", *self.ev(s.payload))
        o = w.subscriber.open("EVENT", "com.example.news.a", s.envelope(), retained=True)
        self.assertTrue(o.stale)

    def test_replay_and_exchanges(self):
        w = self.w
        w.subscriber.open("EVENT", "com.example.news.a", self.pub.envelope())
        self.assertRefused("replay", *self.ev(self.p))
        c1 = w.caller.call("com.example.rpc.add", [1], {}, session=w.session)
        c2 = w.caller.call("com.example.rpc.add", [2], {}, session=w.session)
        o1 = w.callee.open("INVOCATION", "com.example.rpc.add", c1.envelope())
        self.assertRefused("replay", w.callee, w, "INVOCATION", "com.example.rpc.add", c1.envelope())
        o2 = w.callee.open("INVOCATION", "com.example.rpc.add", c2.envelope())
        y1 = w.answer.reply(o1.exchange, [1], {}, progress=True)
        y1f = w.answer.reply(o1.exchange, [2], {})
        y2 = w.answer.reply(o2.exchange, [3], {})
        self.assertRefused("exchange", w.caller_rx, w, "RESULT", None, y1.envelope(), exchange=c2.exchange, progress=True)
        self.assertRefused("exchange", w.caller_rx, w, "RESULT", None, y2.envelope(), exchange=None)
        w.caller_rx.open("RESULT", None, y1.envelope(), exchange=c1.exchange, progress=True)
        self.assertRefused("replay", w.caller_rx, w, "RESULT", None, y1.envelope(), exchange=c1.exchange, progress=True)
        self.assertRefused("progress", w.caller_rx, w, "RESULT", None, y1f.envelope(), exchange=c1.exchange, progress=True)
        w.caller_rx.open("RESULT", None, y1f.envelope(), exchange=c1.exchange)
        self.assertRefused("exchange", w.caller_rx, w, "RESULT", None, y1f.envelope(), exchange=c1.exchange)
        self.assertRefused("type", w.caller_rx, w, "ERROR", "com.example.e", y2.envelope(), exchange=c2.exchange)

    def test_key_errors(self):
        w = self.w
        no_keys = Receiver(clock=w.clock, trust=w.trust)
        self.assertRefused("unknown_key", no_keys, w, "EVENT", "com.example.news.a", self.pub.envelope())
        old = GroupKey(bytes(32 * [4]), "com.example.news.", w.clock.now - 1)
        w.subscriber.add_group_key(old)
        self.assertRefused("key-expired", *self.ev(w.pub.publish("com.example.news.a", [], {}, group_key=old).payload))
        writers = GroupKey(bytes(32 * [5]), "com.example.news.", writers=[w.carol.pk])
        w.subscriber.add_group_key(writers)
        self.assertRefused("sender", *self.ev(w.pub.publish("com.example.news.a", [], {}, group_key=writers).payload))
        # wrapped to another scope key
        other = CallerSession(bytes(32 * [6]), "com.example.rpc.", x25519_public(bytes(32 * [8])))
        c = w.caller.call("com.example.rpc.add", [], {}, session=other)
        self.assertRefused("wrong-recipient", w.callee, w, "INVOCATION", "com.example.rpc.add", c.envelope())
        # session calls: unknown, then owner checks
        w.caller.call("com.example.rpc.add", [], {}, session=w.session)  # wrapped, never delivered
        later = w.caller.call("com.example.rpc.add", [], {}, session=w.session)
        self.assertRefused("unknown_key", w.callee, w, "INVOCATION", "com.example.rpc.add", later.envelope())
        w.callee.add_session(w.session.key, w.dave.pk, "com.example.rpc.")
        w.trust.revoke(w.dave.pk)
        self.assertRefused("sender", w.callee, w, "INVOCATION", "com.example.rpc.add", later.envelope())

    def test_decrypt_padding_plaintext_uri_invalid(self):
        w = self.w
        c = w.caller.call("com.example.rpc.add", [1], {}, session=w.session)
        w.callee.open("INVOCATION", "com.example.rpc.add", c.envelope())
        later = w.caller.call("com.example.rpc.add", [1], {}, session=w.session)
        self.assertRefused("decrypt", w.callee, w, "INVOCATION", "com.example.rpc.add", Envelope.transparent(flip(later.payload, 150)))
        self.assertRefused("decrypt", w.callee, w, "INVOCATION", "com.example.rpc.other", later.envelope())
        forged = w.pub.publish("com.example.s.orders.created", [1], {}, group_key=w.gk_s)
        self.assertRefused("signature", w.subscriber, w, "EVENT", w.ns.scramble("com.example.s.orders.deleted"), forged.envelope())
        strict = Receiver(clock=w.clock, trust=w.trust, group_keys=[w.gk], validate=lambda *a: 1 / 0)
        self.assertRefused("invalid", strict, w, "EVENT", "com.example.news.a", self.pub.envelope())
        e = self.assertRefused("invalid", strict, w, "EVENT", "com.example.news.a", self.pub.envelope())
        self.assertEqual(e.wamp_uri, "wamp.error.invalid_argument")
        self.assertTrue(issubclass(InvalidPayloadError, E2eError))

    def test_downgrade_and_envelope(self):
        w = self.w
        self.assertRefused("downgrade", w.subscriber, w, "EVENT", "com.example.news.a", Envelope.plain([1], {}))
        self.assertRefused("downgrade", w.subscriber, w, "EVENT", "com.example.news.a", Envelope.transparent(self.p, "json", scheme="cryptobox"))
        mixed = Receiver(clock=w.clock, trust=w.trust, group_keys=[w.gk],
                         routes=[Route("com.example.news.", "cryptobox"), Route("com.example.t.", carriages=("transparent",))])
        self.assertRefused("downgrade", mixed, w, "EVENT", "com.example.news.a", self.pub.envelope())
        self.assertRefused("downgrade", mixed, w, "EVENT", "com.example.t.a", self.pub.envelope("argument"))
        self.assertRefused("envelope", w.subscriber, w, "EVENT", "com.example.news.a", Envelope.transparent([1], "json"))
        c = w.caller.call("com.example.rpc.add", [1], {}, session=w.session)
        self.assertRefused("downgrade", w.caller_rx, w, "RESULT", None, Envelope.plain([1], {}), exchange=c.exchange)
        self.assertRefused("downgrade", w.caller_rx, w, "ERROR", "com.example.error.x", Envelope.plain([], {}), exchange=c.exchange)

    def crafted(self, *, type=1, uri="com.example.news.a", plaintext=b'{"args":[],"kwargs":{}}', key=None, seq=50,
                xid=bytes(16), flags=None, signer=None, wrap=None):
        w = self.w
        signer = signer or w.alice
        key = key or w.gk.key
        h = Header(type=type, flags=make_flags(signed=True) if flags is None else flags, ser=1, kid=kid(key),
                   spk=signer.pk, sid=b"c" * 8, seq=seq, ts=w.clock.now, xid=xid, nonce=b"n" * 24)
        return seal_raw(header=h, uri=uri, key=key, plaintext=plaintext, wrap=wrap, signing_seed=signer.seed)["payload"]

    def test_crafted_payloads(self):
        """Validly sealed and signed payloads that break one rule each."""
        w = self.w
        self.assertRefused("flags", *self.ev(self.crafted(flags=make_flags(signed=True, wrapped=True),
                                                          wrap=seal_box(w.gk.key, w.scope_pk, b"e" * 32))))
        self.assertRefused("header", *self.ev(self.crafted(seq=0)))
        self.assertRefused("header", *self.ev(self.crafted(xid=b"x" * 16)))
        self.assertRefused("padding", *self.ev(self.crafted(flags=make_flags(signed=True, bucket=0), plaintext=bytes(64))))
        for bad in (b"\xff", b'{"args":{},"kwargs":{}}', b'{"args":[],"kwargs":{},"uri":"x"}', b'[]'):
            self.assertRefused("plaintext", *self.ev(self.crafted(plaintext=bad)))
        wire = w.ns.scramble("com.example.s.orders.created")
        forged = seal_message(type=1, uri=wire, clear_uri="com.example.s.orders.deleted", args=[], kwargs={}, ser="json",
                              key=w.gk_s.key, seed=w.alice.seed, sid=b"c" * 8, seq=60, ts=w.clock.now, xid=bytes(16),
                              nonce=b"n" * 24, signed=True)["payload"]
        self.assertRefused("uri", w.subscriber, w, "EVENT", wire, Envelope.transparent(forged))
        bare = seal_message(type=1, uri=wire, args=[], kwargs={}, ser="json", key=w.gk_s.key, seed=w.alice.seed,
                            sid=b"c" * 8, seq=61, ts=w.clock.now, xid=bytes(16), nonce=b"n" * 24, signed=True)["payload"]
        self.assertRefused("uri", w.subscriber, w, "EVENT", wire, Envelope.transparent(bare))
        # key commitment: the wrap carries another key than the one kid names
        commit = self.crafted(type=2, uri="com.example.rpc.add", key=w.session.key, xid=b"x" * 16, signer=w.dave,
                              flags=make_flags(signed=True, wrapped=True), wrap=seal_box(b"k" * 32, w.scope_pk, b"e" * 32))
        self.assertRefused("key-commitment", w.callee, w, "INVOCATION", "com.example.rpc.add", Envelope.transparent(commit))

    def test_every_single_bit_flip_is_refused(self):
        """Exhaustive: every bit of a signed PUBLISH, of a wrapped CALL and of an unsigned session CALL."""
        w = self.w
        c1 = w.caller.call("com.example.rpc.add", [1, "x"], {"k": b"\x00"}, session=w.session)
        c2 = w.caller.call("com.example.rpc.add", [2], {}, session=w.session)
        seen = set()
        for name, rx, wamp, uri, sealed in (("publish", w.subscriber, "EVENT", "com.example.news.a", self.pub),
                                            ("wrapped", w.callee, "INVOCATION", "com.example.rpc.add", c1),
                                            ("session", w.callee, "INVOCATION", "com.example.rpc.add", c2)):
            if name == "session":
                w.callee.add_session(w.session.key, w.dave.pk, "com.example.rpc.")
            data = sealed.payload
            for i in range(len(data) * 8):
                bad = flip(data, i // 8, 1 << (i % 8))
                with self.assertRaises(E2eError, msg=f"{name} bit {i}") as cm:
                    rx.open(wamp, uri, Envelope.transparent(bad, sealed.serializer))
                seen.add(cm.exception.code)
            rx.open(wamp, uri, sealed.envelope())  # the untouched payload still opens
        self.assertLessEqual(seen, {"malformed", "magic", "suite", "reserved", "unsigned", "flags", "header", "type",
                                    "serializer", "progress", "sender", "signature", "stale", "unknown_key",
                                    "wrong-recipient", "decrypt"})

    def test_random_mutations_and_truncations(self):
        rnd = random.Random(20260101)
        w = self.w
        data = self.pub.payload
        for n in range(2000):
            b = bytearray(data)
            kind = rnd.randrange(3)
            if kind == 0:
                for _ in range(rnd.randrange(1, 6)):
                    b[rnd.randrange(len(b))] = rnd.randrange(256)
            elif kind == 1:
                b = b[:rnd.randrange(len(b))]
            else:
                b = b[:rnd.randrange(len(b))] + bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 40)))
            if bytes(b) == data:
                continue
            with self.assertRaises(E2eError, msg=f"mutation {n}"):
                w.subscriber.open("EVENT", "com.example.news.a", Envelope.transparent(bytes(b)))


if __name__ == "__main__":
    unittest.main()
