"""Derivations, layout, sealed boxes, padding, plaintext encodings, URI scrambling, key packages."""

import hashlib
import random
import unittest

import nacl.bindings as nb
import nacl.public

from e2ev2_testkit import World, fixed
from e2ev2 import E2eError
from e2ev2_inner import SER_CBOR, SER_JSON, SER_MSGPACK, decode_plaintext, encode_plaintext
from e2ev2_keypkg import (
    AuthorityTrust, TofuTrust, decode_key_record, encode_key_record, make_keypkg, verify_keypkg,
)
from e2ev2_scramble import Namespace, namespace_key
from e2ev2_state import GroupKey, TrustStore, prefix_covers
from e2ev2_wire import (
    AAD_CTX, HEADER_LEN, SIG_CTX, Header, kid, open_box, pad, pkid, reply_key, seal_box, u_uri, unpad,
    x25519_public,
)


class Derivations(unittest.TestCase):
    def test_formulas(self):
        k, x = fixed("k"), fixed("x", 16)
        self.assertEqual(kid(k), hashlib.blake2b(b"wampbox/e2e/v2 kid", key=k, digest_size=16).digest())
        self.assertEqual(pkid(k), hashlib.blake2b(b"wampbox/e2e/v2 pkid\x00" + k, digest_size=16).digest())
        self.assertEqual(reply_key(k, x), hashlib.blake2b(b"wampbox/e2e/v2 reply" + x, key=k, digest_size=32).digest())
        self.assertEqual((len(SIG_CTX), len(AAD_CTX)), (19, 19))
        self.assertEqual(u_uri("a.\u00e9"), b"\x00\x04a.\xc3\xa9")

    def test_header_layout(self):
        h = Header(type=2, flags=0x18, ser=3, kid=b"K" * 16, spk=b"S" * 32, sid=b"I" * 8, seq=0x0102030405060708,
                   ts=0x1122334455667788, xid=b"X" * 16, nonce=b"N" * 24)
        b = h.pack()
        self.assertEqual(len(b), HEADER_LEN)
        self.assertEqual(b[:8], b"W2\x01\x02\x18\x03\x00\x00")
        self.assertEqual((b[8:24], b[24:56], b[56:64]), (b"K" * 16, b"S" * 32, b"I" * 8))
        self.assertEqual((b[64:72].hex(), b[72:80].hex()), ("0102030405060708", "1122334455667788"))
        self.assertEqual((b[80:96], b[96:120]), (b"X" * 16, b"N" * 24))
        self.assertEqual(Header.unpack(b), h)

    def test_signature_inputs_are_never_32_bytes(self):
        """Cross-protocol invariant (§b.4): >= 19 + 2 + 120 + 16 bytes, whatever the URI and payload."""
        w = World()
        rnd = random.Random(3)
        for n in range(200):
            s = w.pub.publish("com.example.news." + "x" * rnd.randrange(0, 50), ["y" * rnd.randrange(0, 20)], {},
                              group_key=w.gk)
            self.assertGreaterEqual(len(s.debug["sig_input"]), 19 + 2 + 120 + 16)
            self.assertNotEqual(len(s.debug["sig_input"]), 32)

    def test_sealed_box_is_libsodiums(self):
        rk = nacl.public.PrivateKey(fixed("rk"))
        sealed = seal_box(b"m" * 32, rk.public_key.encode(), fixed("eph"))
        self.assertEqual(len(sealed), 80)
        self.assertEqual(nacl.public.SealedBox(rk).decrypt(sealed), b"m" * 32)
        random_seal = nacl.public.SealedBox(rk.public_key).encrypt(b"m" * 32)
        self.assertEqual(open_box(random_seal, bytes(rk)), b"m" * 32)
        self.assertIsNone(open_box(sealed, fixed("other")))

    def test_converted_keys_match_libsodium(self):
        w = World()
        self.assertEqual(x25519_public(w.erin.x25519_sk), w.erin.x25519_pk)
        self.assertEqual(w.erin.x25519_pk, nb.crypto_sign_ed25519_pk_to_curve25519(w.erin.pk))

    def test_padding(self):
        for n, b, total in ((0, 0, 64), (63, 0, 64), (64, 0, 128), (255, 1, 256), (256, 1, 512), (1, 2, 1024)):
            p = pad(b"\x01" * n, b)
            self.assertEqual(len(p), total)
            self.assertEqual(p[n], 0x80)
            self.assertEqual(unpad(p, b), b"\x01" * n)
        self.assertIsNone(unpad(bytes(64), 0))
        self.assertIsNone(unpad(pad(b"x", 0)[:-1], 0))


class Plaintext(unittest.TestCase):
    def test_fixed_forms(self):
        self.assertEqual(encode_plaintext(SER_JSON, [b"\x00\x01", "\u00e9"], {"a": 1}),
                         '{"args":["\\u0000AAE=","\u00e9"],"kwargs":{"a":1}}'.encode())
        self.assertEqual(encode_plaintext(SER_MSGPACK, [b"\x00"], {}).hex(), "82a46172677391c40100a66b776172677380")
        self.assertEqual(encode_plaintext(SER_CBOR, [b"\x00"], {}).hex(), "a2646172677381410066" + "6b7761726773a0")
        self.assertEqual(encode_plaintext(SER_JSON, [], {}, "a.b"), b'{"args":[],"kwargs":{},"uri":"a.b"}')

    def test_round_trip_and_refusals(self):
        for ser in (SER_JSON, SER_MSGPACK, SER_CBOR):
            v = ([1, -2, 2 ** 53, 1.5, "s", b"\x00b", None, True, [], {}], {"x": {"y": [b""]}})
            self.assertEqual(decode_plaintext(ser, encode_plaintext(ser, *v), False)[:2], v)
            with self.assertRaises(E2eError):
                decode_plaintext(ser, encode_plaintext(ser, *v) + b"\x00", False)
            with self.assertRaises(E2eError):
                decode_plaintext(ser, encode_plaintext(ser, *v), True)  # uri missing
        for bad in (b"NaN", b'{"args":[NaN],"kwargs":{}}', b'{"args":["\\u0000%%"],"kwargs":{}}', b"\xff"):
            with self.assertRaises(E2eError):
                decode_plaintext(SER_JSON, bad, False)


class Scrambling(unittest.TestCase):
    def test_tags(self):
        ns = Namespace.from_master(fixed("m"), "com.example.s.")
        w = ns.scramble("com.example.s.orders.created")
        self.assertRegex(w, r"^com\.example\.s\.[a-z2-7]{16}\.[a-z2-7]{16}$")
        self.assertEqual(ns.scramble("com.example.s.orders.", pattern=True), w.rsplit(".", 1)[0] + ".")
        self.assertNotEqual(ns.scramble("com.example.s.x.created").split(".")[-1], w.split(".")[-1])  # chained
        with self.assertRaises(E2eError):
            ns.scramble("com.example.s..created", pattern=True)
        pos = Namespace(ns.prefix, ns.key, "positional")
        self.assertEqual(pos.scramble("com.example.s..created", pattern=True).split(".")[-1],
                         pos.scramble("com.example.s.x.created").split(".")[-1])
        self.assertEqual(namespace_key(fixed("m"), "com.example.s."), ns.key)

    def test_no_collisions(self):
        ns = Namespace.from_master(fixed("m"), "a.", "positional")
        tags = {ns.scramble(f"a.c{i}").split(".")[1] for i in range(200_000)}
        self.assertEqual(len(tags), 200_000)

    def test_dot_aware_prefixes(self):
        self.assertTrue(prefix_covers("com.app", "com.app.x"))
        self.assertTrue(prefix_covers("com.app", "com.app"))
        self.assertFalse(prefix_covers("com.app", "com.appx"))
        self.assertTrue(prefix_covers("com.app.", "com.app.x"))
        self.assertFalse(prefix_covers("com.app.", "com.app"))
        self.assertTrue(prefix_covers("", "anything"))


class KeyPackages(unittest.TestCase):
    def test_authority_mode(self):
        org, dave = fixed("org"), fixed("dave")
        pkg = make_keypkg(dave, "dave", fixed("rk"), 2_000, [{"prefix": "com.example.", "roles": ["call"]}], org_seed=org)
        trust = TrustStore()
        auth = AuthorityTrust(_pk(org), trust)
        auth.add(pkg, 1_000)
        self.assertTrue(trust.allows(pkg["sign_pk"], "com.example.x", "call"))
        self.assertFalse(trust.allows(pkg["sign_pk"], "com.example.x", "publish"))
        for bad in (dict(pkg, authid="eve"), dict(pkg, grants=[{"prefix": "", "roles": ["call"]}]), dict(pkg, org_sig=b"\x00" * 64)):
            with self.assertRaises(E2eError):
                auth.add(bad, 1_000)
        with self.assertRaises(E2eError):
            verify_keypkg(pkg, 2_001)

    def test_tofu(self):
        t = TofuTrust()
        t.see("dave", "com.example.", b"a" * 32)
        t.see("dave", "com.example.", b"a" * 32)
        with self.assertRaises(E2eError) as cm:
            t.see("dave", "com.example.", b"b" * 32)
        self.assertEqual(cm.exception.code, "tofu-mismatch")

    def test_key_records(self):
        g = GroupKey(fixed("g"), "com.example.news.", 5, [b"w" * 32])
        rec = encode_key_record(g)
        back = decode_key_record(rec)
        self.assertEqual((back.key, back.scope, back.not_after, back.writers), (g.key, g.scope, 5, [b"w" * 32]))
        for bad, code in ((rec[:-1], "keypkg"), (rec + b"\x00", "keypkg"), (b"\x02" + rec[1:], "keypkg"),
                          (rec[:1] + bytes(16) + rec[17:], "key-commitment")):
            with self.assertRaises(E2eError) as cm:
                decode_key_record(bad)
            self.assertEqual(cm.exception.code, code)


def _pk(seed):
    import nacl.signing
    return nacl.signing.SigningKey(seed).verify_key.encode()


if __name__ == "__main__":
    unittest.main()
