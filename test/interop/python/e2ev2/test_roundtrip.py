"""Round trips of every message kind, serializer, carriage and dialect."""

import unittest

from e2ev2_testkit import World
from e2ev2 import E2eError, Envelope
from e2ev2_keypkg import key_get_reply, key_get_request, make_bundle, open_bundle, parse_key_get_reply
from e2ev2_state import GroupKey, ScopeKey
from e2ev2_wire import x25519_public

SERS = ("json", "msgpack", "cbor")
ARGS = [1, "two", b"\x00\xff", None, True, {"nested": [b"", -7, "\u2713"]}]
KWARGS = {"k": b"\x01", "list": [1, 2], "map": {"a": None}}
CARRIAGES = (("transparent", "autobahn"), ("transparent", "spec"), ("argument", "autobahn"))


class PubSub(unittest.TestCase):
    def test_every_serializer_carriage_and_bucket(self):
        for ser in SERS:
            for carriage, dialect in CARRIAGES:
                for bucket in (None, 0, 1, 2):
                    with self.subTest(ser=ser, carriage=carriage, dialect=dialect, bucket=bucket):
                        w = World()
                        s = w.pub.publish("com.example.news.a", ARGS, KWARGS, group_key=w.gk, ser=ser, bucket=bucket)
                        o = w.subscriber.open("EVENT", "com.example.news.a", s.envelope(carriage, dialect))
                        self.assertEqual((o.args, o.kwargs), (ARGS, KWARGS))
                        self.assertEqual((o.spk, o.author, o.signed, o.stale), (w.alice.pk, w.alice.pk, True, False))
                        self.assertEqual(o.carriage, carriage)
                        if bucket is not None:
                            self.assertEqual((len(s.payload) - 200) % (64, 256, 1024)[bucket], 0)

    def test_sizes(self):
        w = World()
        s = w.pub.publish("com.example.news.a", [1], {}, group_key=w.gk)
        self.assertEqual(len(s.payload), len(s.debug["plaintext"]) + 200)

    def test_empty_and_none_payloads(self):
        w = World()
        s = w.pub.publish("com.example.news.a", None, None, group_key=w.gk)
        self.assertEqual(s.debug["plaintext"], b'{"args":[],"kwargs":{}}')
        o = w.subscriber.open("EVENT", "com.example.news.a", s.envelope())
        self.assertEqual((o.args, o.kwargs), ([], {}))

    def test_scrambled_topic(self):
        w = World()
        s = w.pub.publish("com.example.s.orders.created", [1], {}, group_key=w.gk_s)
        self.assertTrue(s.wire_uri.startswith("com.example.s.") and "orders" not in s.wire_uri)
        o = w.subscriber.open("EVENT", s.wire_uri, s.envelope())
        self.assertEqual((o.uri, o.wire_uri), ("com.example.s.orders.created", s.wire_uri))

    def test_stream_counts_up_from_one(self):
        w = World()
        seqs = [w.subscriber.open("EVENT", "com.example.news.a",
                                  w.pub.publish("com.example.news.a", [i], {}, group_key=w.gk).envelope()).seq
                for i in range(3)]
        self.assertEqual(seqs, [1, 2, 3])

    def test_wamp_uris_are_never_sealed(self):
        w = World()
        with self.assertRaises(E2eError):
            w.pub.publish("wamp.session.count", [], {}, group_key=w.gk)


class Rpc(unittest.TestCase):
    def call_and_open(self, w, args, kwargs, **kw):
        c = w.caller.call("com.example.rpc.add", args, kwargs, session=w.session, **kw)
        o = w.callee.open("INVOCATION", "com.example.rpc.add", c.envelope(), progress=kw.get("progress", False))
        return c, o

    def test_first_call_wrapped_then_session_calls(self):
        for ser in SERS:
            with self.subTest(ser=ser):
                w = World()
                c1, o1 = self.call_and_open(w, ARGS, KWARGS, ser=ser)
                self.assertEqual(len(c1.payload), len(c1.debug["plaintext"]) + 280)
                self.assertTrue(o1.signed)
                c2, o2 = self.call_and_open(w, [2], {}, ser=ser)
                self.assertEqual(len(c2.payload), len(c2.debug["plaintext"]) + 136)
                self.assertFalse(o2.signed)
                self.assertEqual(o2.author, w.dave.pk)  # the session owner, checked
                self.assertEqual((o1.args, o1.kwargs, o2.args), (ARGS, KWARGS, [2]))

    def test_results_progressive_and_final_in_every_carriage(self):
        for carriage, dialect in CARRIAGES:
            with self.subTest(carriage=carriage, dialect=dialect):
                w = World()
                c, o = self.call_and_open(w, [1], {})
                y = [w.answer.reply(o.exchange, [i], {}, progress=True) for i in range(3)] + [w.answer.reply(o.exchange, ["end"], {})]
                got = [w.caller_rx.open("RESULT", None, s.envelope(carriage, dialect), exchange=c.exchange,
                                        progress=i < 3) for i, s in enumerate(y)]
                self.assertEqual([g.args for g in got], [[0], [1], [2], ["end"]])
                self.assertEqual([g.more for g in got], [True, True, True, False])
                self.assertEqual([g.seq for g in got], [1, 2, 3, 4])
                self.assertIsNone(got[0].author)  # unsigned reply: spk is a claim
                self.assertTrue(c.exchange.closed)

    def test_signed_replies_and_every_call_signed(self):
        w = World(sign_replies=True, sign_every_call=True)
        w.answer.sign_replies = True
        w.caller.sign_every_call = True
        c, o = self.call_and_open(w, [1], {})
        c2, o2 = self.call_and_open(w, [2], {})
        self.assertTrue(o2.signed)
        r = w.caller_rx.open("RESULT", None, w.answer.reply(o2.exchange, [3], {}).envelope(), exchange=c2.exchange)
        self.assertEqual((r.args, r.author, r.signed), ([3], w.erin.pk, True))

    def test_error_payloads(self):
        for signed in (False, True):
            with self.subTest(signed=signed):
                w = World()
                w.answer.sign_replies = signed
                c, o = self.call_and_open(w, [1], {})
                e = w.answer.error(o.exchange, "com.example.error.bad", ["why"], {"field": "a"})
                r = w.caller_rx.open("ERROR", "com.example.error.bad", e.envelope(), exchange=c.exchange)
                self.assertEqual((r.args, r.kwargs, r.uri, r.signed), (["why"], {"field": "a"}, "com.example.error.bad", signed))
                self.assertTrue(c.exchange.closed)

    def test_progressive_call_chunks(self):
        w = World()
        c1 = w.caller.call("com.example.rpc.up", [1], {}, session=w.session, progress=True)
        c2 = w.caller.call("com.example.rpc.up", [2], {}, session=w.session, progress=True, exchange=c1.exchange)
        c3 = w.caller.call("com.example.rpc.up", [3], {}, session=w.session, exchange=c1.exchange)
        self.assertEqual([bool(c.payload[4] & 0x10) for c in (c1, c2, c3)], [True, False, False])
        o1 = w.callee.open("INVOCATION", "com.example.rpc.up", c1.envelope(), progress=True)
        ex = o1.exchange
        w.callee.open("INVOCATION", "com.example.rpc.up", c2.envelope(), progress=True, exchange=ex)
        o3 = w.callee.open("INVOCATION", "com.example.rpc.up", c3.envelope(), exchange=ex)
        self.assertEqual(o3.args, [3])
        self.assertTrue(ex.call_closed)
        with self.assertRaises(E2eError):
            w.caller.call("com.example.rpc.up", [4], {}, session=w.session, exchange=c1.exchange)
        r = w.caller_rx.open("RESULT", None, w.answer.reply(ex, [6], {}).envelope(), exchange=c1.exchange)
        self.assertEqual(r.args, [6])

    def test_unknown_key_then_rewrap(self):
        w = World()
        self.call_and_open(w, [1], {})
        w.callee.sessions.drop(w.session.kid)  # the callee restarted
        c = w.caller.call("com.example.rpc.add", [2], {}, session=w.session)
        with self.assertRaises(E2eError) as cm:
            w.callee.open("INVOCATION", "com.example.rpc.add", c.envelope())
        self.assertEqual(cm.exception.code, "unknown_key")
        self.assertEqual(cm.exception.wamp_uri, "wamp.error.encryption.unknown_key")
        w.caller.on_unknown_key(w.session)
        c = w.caller.call("com.example.rpc.add", [2], {}, session=w.session)
        self.assertTrue(w.callee.open("INVOCATION", "com.example.rpc.add", c.envelope()).signed)

    def test_scrambled_procedure_and_error_uri(self):
        w = World()
        sess = type(w.session)(w.session.key, "com.example.s.", w.scope_pk)
        c = w.caller.call("com.example.s.billing.charge", [100], {}, session=sess)
        o = w.callee.open("INVOCATION", c.wire_uri, c.envelope())
        self.assertEqual(o.uri, "com.example.s.billing.charge")
        e = w.answer.error(o.exchange, "com.example.s.errors.declined", [], {})
        self.assertNotEqual(e.wire_uri, "com.example.s.errors.declined")
        r = w.caller_rx.open("ERROR", e.wire_uri, e.envelope(), exchange=c.exchange)
        self.assertEqual(r.uri, "com.example.s.errors.declined")
        y = w.caller.call("com.example.s.billing.charge", [1], {}, session=sess)
        o = w.callee.open("INVOCATION", y.wire_uri, y.envelope())
        r = w.caller_rx.open("RESULT", None, w.answer.reply(o.exchange, [2], {}).envelope(), exchange=y.exchange)
        self.assertEqual((r.uri, r.args), ("com.example.s.billing.charge", [2]))

    def test_router_error_is_delivered_unauthenticated(self):
        w = World()
        c = w.caller.call("com.example.rpc.add", [1], {}, session=w.session)
        r = w.caller_rx.open("ERROR", "wamp.error.no_such_procedure", Envelope.plain([], {}), exchange=c.exchange)
        self.assertFalse(r.authenticated)


class KeyDistribution(unittest.TestCase):
    def test_key_get_over_v2_rpc(self):
        w = World()
        svc_sk = bytes(range(32))
        keysvc = type(w.callee)(clock=w.clock, trust=w.trust, scope_keys=[ScopeKey("com.example.e2e.", svc_sk)])
        w.trust.grant(w.dave.pk, "com.example.e2e.", "call")
        w.trust.grant(w.erin.pk, "com.example.e2e.", "answer")
        sess = type(w.session)(bytes(32 * [7]), "com.example.e2e.", x25519_public(svc_sk))
        new = GroupKey(bytes(32 * [9]), "com.example.news.", w.clock.now + 1000)
        c = w.caller.call("com.example.e2e.key.get", [], key_get_request(new.kid, "com.example.news.a"), session=sess)
        o = keysvc.open("INVOCATION", "com.example.e2e.key.get", c.envelope())
        self.assertEqual(o.author, w.dave.pk)  # the key holder authorizes the reader end to end
        y = w.answer.reply(o.exchange, [], key_get_reply(new), ser="cbor")
        r = w.caller_rx.open("RESULT", None, y.envelope(), exchange=c.exchange)
        got = parse_key_get_reply(r.kwargs, new.kid)
        self.assertEqual((got.key, got.scope, got.not_after), (new.key, new.scope, new.not_after))

    def test_push_bundle(self):
        w = World()
        readers = [bytes([i]) * 32 for i in (1, 2, 3)]
        new = GroupKey(bytes(32 * [9]), "com.example.news.")
        bundle = make_bundle(new, [x25519_public(r) for r in readers], [bytes([40 + i]) * 32 for i in range(3)])
        s = w.pub.publish("com.example.news.e2e.key.bundle", bundle, {}, group_key=w.gk, ser="msgpack")
        o = w.subscriber.open("EVENT", "com.example.news.e2e.key.bundle", s.envelope())
        for r in readers:
            self.assertEqual(open_bundle(o.args, r, x25519_public(r)).key, new.key)
        with self.assertRaises(E2eError) as cm:
            open_bundle(o.args, bytes(32 * [5]), x25519_public(bytes(32 * [5])))
        self.assertEqual(cm.exception.code, "wrong-recipient")

    def test_converted_identity_key_as_recipient(self):
        w = World()
        from e2ev2_wire import open_box, seal_box
        sealed = seal_box(w.gk.key, w.erin.x25519_pk, bytes(32 * [3]))
        self.assertEqual(open_box(sealed, w.erin.x25519_sk), w.gk.key)


if __name__ == "__main__":
    unittest.main()
