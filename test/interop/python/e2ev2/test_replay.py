"""Replay windows (§b.7): sliding-window semantics and the bounds under 10,000 sender streams."""

import random
import unittest

from e2ev2_testkit import World
from e2ev2 import E2eError, Sender
from e2ev2_errors import ReplayError
from e2ev2_state import ReplayWindow, SenderStream, WindowStore


class Window(unittest.TestCase):
    def test_semantics_against_a_model(self):
        """A random walk compared with the obvious model: accepted iff unseen and seq > top - size."""
        rnd = random.Random(7)
        for size in (1, 2, 64, 1024):
            w, seen, top = ReplayWindow(), set(), 0
            for _ in range(5000):
                seq = max(1, top + rnd.randint(-size - 3, 40))
                expect_ok = seq not in seen and seq > top - size
                self.assertEqual(w.check(seq, size) is None, expect_ok, (size, seq, top))
                if expect_ok:
                    w.commit(seq, size)
                    seen.add(seq)
                    top = max(top, seq)

    def test_boundaries(self):
        w = ReplayWindow()
        w.commit(2000, 1024)
        self.assertIsNone(w.check(977, 1024))
        self.assertEqual(w.check(976, 1024), "below the window")
        self.assertEqual(w.check(2000, 1024), "already accepted")
        self.assertIsNone(w.check(2001, 1024))
        w.commit(1 << 63, 1024)  # a huge jump clears the bitmap
        self.assertEqual(w.bits, 1)

    def test_u64_limit(self):
        s = SenderStream(sid=b"\x00" * 8, first_seq=(1 << 64) - 1)
        s.take()
        with self.assertRaises(E2eError):
            s.take()


class Bounds(unittest.TestCase):
    def test_one_sender_with_10000_streams_cannot_evict_others(self):
        store = WindowStore(size=1024, per_sender=64, total=4096)
        store.commit(b"B" * 32, b"b" * 8, 5)  # another sender
        for i in range(10_000):
            store.commit(b"A" * 32, i.to_bytes(8, "big"), 1)
        self.assertEqual(store.windows_of(b"A" * 32), 64)
        self.assertEqual(len(store), 65)
        with self.assertRaises(ReplayError):
            store.check(b"B" * 32, b"b" * 8, 5)  # the other sender's window survived
        # the 64 most recent streams are remembered, older ones forgotten (documented limit)
        with self.assertRaises(ReplayError):
            store.check(b"A" * 32, (9_999).to_bytes(8, "big"), 1)
        store.check(b"A" * 32, (0).to_bytes(8, "big"), 1)

    def test_10000_senders_stay_within_the_total(self):
        store = WindowStore(size=1024, per_sender=64, total=4096)
        for i in range(10_000):
            store.commit(i.to_bytes(32, "big"), b"s" * 8, 1)
        self.assertEqual(len(store), 4096)
        self.assertEqual(store.senders(), 4096)
        with self.assertRaises(ReplayError):
            store.check((9_999).to_bytes(32, "big"), b"s" * 8, 1)

    def test_10000_streams_end_to_end(self):
        """An authorized publisher restarts 10,000 times (a new sid each time): the receiver's memory
        stays bounded and a second publisher's replay protection is unaffected."""
        w = World()
        other = Sender(w.carol, clock=w.clock)
        w.trust.grant(w.carol.pk, "com.example.news.", "publish")
        kept = other.publish("com.example.news.a", [0], {}, group_key=w.gk)
        w.subscriber.open("EVENT", "com.example.news.a", kept.envelope())
        for i in range(10_000):
            s = Sender(w.alice, clock=w.clock, random=lambda n, i=i: (i.to_bytes(n, "big")))
            w.subscriber.open("EVENT", "com.example.news.a", s.publish("com.example.news.a", [i], {}, group_key=w.gk).envelope())
        self.assertEqual(w.subscriber.windows.windows_of(w.alice.pk), 64)
        self.assertLessEqual(len(w.subscriber.windows), 65)
        with self.assertRaises(ReplayError):
            w.subscriber.open("EVENT", "com.example.news.a", kept.envelope())


class Restart(unittest.TestCase):
    def test_restart_accepts_a_replay_once_within_max_skew(self):
        w = World()
        s = w.pub.publish("com.example.news.a", [1], {}, group_key=w.gk)
        w.subscriber.open("EVENT", "com.example.news.a", s.envelope())
        fresh = type(w.subscriber)(clock=w.clock, trust=w.trust, group_keys=[w.gk])
        fresh.open("EVENT", "com.example.news.a", s.envelope())  # documented: once
        with self.assertRaises(ReplayError):
            fresh.open("EVENT", "com.example.news.a", s.envelope())
        w.clock.now += 300_001
        later = type(w.subscriber)(clock=w.clock, trust=w.trust, group_keys=[w.gk])
        with self.assertRaises(E2eError) as cm:
            later.open("EVENT", "com.example.news.a", s.envelope())
        self.assertEqual(cm.exception.code, "stale")

    def test_cross_callee_replay_is_the_documented_limit(self):
        """Two callee instances share CK but not windows: both accept the same CALL (§b.7)."""
        w = World()
        c = w.caller.call("com.example.rpc.add", [1], {}, session=w.session)
        twin = type(w.callee)(clock=w.clock, trust=w.trust, scope_keys=w.callee.scope_keys)
        w.callee.open("INVOCATION", "com.example.rpc.add", c.envelope())
        twin.open("INVOCATION", "com.example.rpc.add", c.envelope())


if __name__ == "__main__":
    unittest.main()
