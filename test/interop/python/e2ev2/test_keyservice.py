"""The key.get service and the fetching reader (§b.8.3, Decision 20), end to end without a router:
a sealed CALL from the reader, the service's decision, a sealed YIELD or ERROR, the reader's check,
and an event opened under the fetched key."""

import unittest

from e2ev2_testkit import World, fixed
from e2ev2 import E2eError, GroupKey
from e2ev2_keypkg import key_get_reply, key_get_request
from e2ev2_keyservice import (
    BAD_REQUEST, NO_SUCH_KEY, NOT_ENTITLED, KeyService, check_key_reply, group_key_from_json, payload_kid,
)

PROC = "com.example.rpc.e2e.key.get"
TOPIC = "com.example.news.a"


class Fetch:
    """dave (caller) asks erin's key service (callee) through sealed calls of one session."""

    def __init__(self, w, service):
        self.w, self.service = w, service

    def ask(self, kwargs, args=()):
        w = self.w
        call = w.caller.call(PROC, list(args), kwargs, session=w.session)
        inv = w.callee.open("INVOCATION", PROC, call.envelope())
        a = self.service.answer(inv.author, inv.args, inv.kwargs)
        if a.error is None:
            reply = w.answer.reply(inv.exchange, [], a.kwargs)
            return a, w.caller_rx.open("RESULT", None, reply.envelope(), exchange=call.exchange)
        reply = w.answer.error(inv.exchange, a.error, [], {})
        return a, w.caller_rx.open("ERROR", reply.wire_uri, reply.envelope("argument"), exchange=call.exchange)


def world_with_service(read_prefix="com.example.news."):
    w = World()
    if read_prefix is not None:
        w.trust.grant(w.dave.pk, read_prefix, ["read"])
    return w, Fetch(w, KeyService(w.trust, [w.gk]))


class Served(unittest.TestCase):
    def test_an_entitled_reader_fetches_the_key_and_opens_the_event(self):
        w, f = world_with_service()
        event = w.pub.publish(TOPIC, ["hi"], {}, group_key=w.gk)
        reader = w.caller_rx  # dave's receiver has no group key yet
        with self.assertRaises(E2eError) as cm:
            reader.open("EVENT", TOPIC, event.envelope())
        self.assertEqual(cm.exception.code, "unknown_key")
        self.assertEqual(payload_kid(event.envelope()), w.gk.kid.hex())
        self.assertEqual(payload_kid(event.envelope("argument")), w.gk.kid.hex())
        a, result = f.ask(key_get_request(w.gk.kid, TOPIC))
        self.assertIsNone(a.error)
        self.assertEqual(a.log, {"reader": w.dave.pk.hex(), "kid": w.gk.kid.hex(), "uri": TOPIC, "scope": w.gk.scope})
        self.assertNotIn(w.gk.key.hex(), repr(a.log))
        g = check_key_reply(result.args, result.kwargs, w.gk.kid)
        self.assertEqual((g.key, g.scope, g.not_after, g.writers), (w.gk.key, w.gk.scope, None, None))
        reader.add_group_key(g)
        self.assertEqual(reader.open("EVENT", TOPIC, event.envelope()).args, ["hi"])

    def test_the_second_call_of_the_session_is_unsigned_and_still_authenticated(self):
        w, f = world_with_service()
        f.ask(key_get_request(w.gk.kid, TOPIC))
        call = w.caller.call(PROC, [], key_get_request(w.gk.kid, TOPIC), session=w.session)
        inv = w.callee.open("INVOCATION", PROC, call.envelope())
        self.assertFalse(inv.signed)
        self.assertEqual(inv.author, w.dave.pk)
        self.assertIsNone(f.service.answer(inv.author, inv.args, inv.kwargs).error)

    def test_not_after_and_writers_travel(self):
        w, f = world_with_service()
        g = GroupKey(fixed("gk2"), "com.example.news.", 1767225900000, [w.alice.pk])
        f.service.add(g)
        _, result = f.ask(key_get_request(g.kid, TOPIC))
        got = check_key_reply(result.args, result.kwargs, g.kid)
        self.assertEqual((got.not_after, got.writers), (1767225900000, [w.alice.pk]))


class Refused(unittest.TestCase):
    def assert_refused(self, f, kwargs, uri, args=()):
        a, err = f.ask(kwargs, args)
        self.assertEqual(a.error, uri)
        self.assertEqual((err.wamp, err.uri, err.authenticated), ("ERROR", uri, True))  # sealed, bound error URI
        return a

    def test_a_reader_without_a_read_grant(self):
        w, f = world_with_service(read_prefix=None)
        a = self.assert_refused(f, key_get_request(w.gk.kid, TOPIC), NOT_ENTITLED)
        self.assertEqual(a.log["reason"], "no read grant on uri")

    def test_a_grant_on_another_prefix_or_another_role_does_not_entitle(self):
        w, f = world_with_service(read_prefix="com.example.other.")
        w.trust.grant(w.dave.pk, "com.example.news.", ["publish", "call"])
        self.assert_refused(f, key_get_request(w.gk.kid, TOPIC), NOT_ENTITLED)

    def test_the_router_authid_plays_no_part_only_the_sealed_caller(self):
        w, f = world_with_service()
        self.assertEqual(f.service.answer(w.mallory.pk, [], key_get_request(w.gk.kid, TOPIC)).error, NOT_ENTITLED)
        self.assertEqual(f.service.answer(None, [], key_get_request(w.gk.kid, TOPIC)).error, NOT_ENTITLED)

    def test_an_unknown_kid(self):
        _, f = world_with_service()
        self.assert_refused(f, key_get_request(bytes(16), TOPIC), NO_SUCH_KEY)

    def test_an_unknown_kid_without_a_grant_reveals_nothing(self):
        _, f = world_with_service(read_prefix=None)
        self.assert_refused(f, key_get_request(bytes(16), TOPIC), NOT_ENTITLED)

    def test_a_key_whose_scope_does_not_cover_the_uri(self):
        w, f = world_with_service(read_prefix="")
        a = self.assert_refused(f, key_get_request(w.gk.kid, "com.example.other.x"), NOT_ENTITLED)
        self.assertEqual(a.log["reason"], "the key's scope does not cover uri")

    def test_malformed_requests(self):
        w, f = world_with_service()
        for kwargs, args in [({"kid": w.gk.kid[:15], "uri": TOPIC}, ()), ({"kid": w.gk.kid.hex(), "uri": TOPIC}, ()),
                             ({"kid": w.gk.kid}, ()), ({"kid": w.gk.kid, "uri": 7}, ()),
                             ({"kid": w.gk.kid, "uri": TOPIC, "extra": 1}, ()), (key_get_request(w.gk.kid, TOPIC), [1])]:
            with self.subTest(kwargs=kwargs, args=args):
                self.assert_refused(f, kwargs, BAD_REQUEST, args)


class ReaderChecks(unittest.TestCase):
    def setUp(self):
        self.w = World()
        self.reply = key_get_reply(self.w.gk)

    def test_another_key_than_the_one_asked_for(self):
        other = GroupKey(fixed("other"), "com.example.news.")
        with self.assertRaises(E2eError) as cm:
            check_key_reply([], key_get_reply(other), self.w.gk.kid)
        self.assertEqual(cm.exception.code, "key-commitment")

    def test_a_kid_that_does_not_commit_to_the_key(self):
        with self.assertRaises(E2eError) as cm:
            check_key_reply([], dict(self.reply, kid=bytes(16)), bytes(16))
        self.assertEqual(cm.exception.code, "key-commitment")

    def test_malformed_replies(self):
        for bad in [dict(self.reply, scope=None), dict(self.reply, not_after="soon"), dict(self.reply, not_after=True),
                    dict(self.reply, writers=[b"short"]), dict(self.reply, key=b"short"), dict(self.reply, extra=1),
                    {k: v for k, v in self.reply.items() if k != "key"}]:
            with self.subTest(bad=sorted(bad)), self.assertRaises(E2eError) as cm:
                check_key_reply([], bad, self.w.gk.kid)
            self.assertEqual(cm.exception.code, "keypkg")
        with self.assertRaises(E2eError):
            check_key_reply(["x"], self.reply, self.w.gk.kid)

    def test_group_keys_in_the_peer_json_form(self):
        g = group_key_from_json({"key": self.w.gk.key.hex(), "scope": "a.", "not_after": 5,
                                 "writers": [self.w.alice.pk.hex()]})
        self.assertEqual((g.kid, g.scope, g.not_after, g.writers), (self.w.gk.kid, "a.", 5, [self.w.alice.pk]))
        self.assertEqual(group_key_from_json({"key": self.w.gk.key.hex()}).scope, "")


if __name__ == "__main__":
    unittest.main()
