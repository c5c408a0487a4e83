#!/usr/bin/env python3
"""Write the x_e2ev2 known-answer vectors (test/fixtures/e2ev2/vectors.json).

Every input is fixed (derived from labels with keyed BLAKE2b, and written into the file), so the
output is the same bytes on every run. Every case is checked against this implementation before
the file is written; the expected refusals are stated here by hand, from the spec, not taken from
what the implementation happens to do.

    python gen_vectors.py [OUT]        (default: test/fixtures/e2ev2/vectors.json of this repository)
"""

import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from e2ev2 import Identity, seal_message  # noqa: E402
from e2ev2_inner import SER_BY_NAME, serialize  # noqa: E402
from e2ev2_keypkg import encode_key_record, keypkg_tbs, make_bundle, make_keypkg  # noqa: E402
from e2ev2_scramble import Namespace, namespace_key  # noqa: E402
from e2ev2_state import GroupKey  # noqa: E402
from e2ev2_vectors import (  # noqa: E402
    check_key_material, check_message, check_primitives, from_json, hx, reseal, run_scenario, to_json,
)
from e2ev2_wire import (  # noqa: E402
    TYPE_BY_NAME, ZERO_XID, Header, kid, make_flags, pad, pkid, reply_key, seal_box, seal_raw,
    x25519_public,
)

DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "..", "..", "fixtures", "e2ev2", "vectors.json"))
LABEL_KEY = b"wampbox/e2e/v2 vectors"
T0 = 1767225600000  # 2026-01-01T00:00:00Z, ms
NOW = T0 + 2000
SKEW = 300_000


def det(label, n):
    """A fixed 'random' value: BLAKE2b(key="wampbox/e2e/v2 vectors", label)[:n]."""
    return hashlib.blake2b(label.encode(), key=LABEL_KEY, digest_size=n).digest()


# ---------------------------------------------------------------------------------- fixed inputs

ID = {name: Identity(det("seed:" + name, 32)) for name in ("alice", "carol", "dave", "erin", "mallory", "org", "keysvc")}
ROLE_OF = {
    "alice": "publisher on com.example.news., com.example.s., com.example.p.",
    "carol": "publisher on com.example.other. only; may call com.example.rpc.",
    "dave": "caller on com.example.rpc., com.example.s., com.example.e2e.",
    "erin": "callee (answers) on com.example.rpc., com.example.s., com.example.e2e.",
    "mallory": "a reader: holds the group key of com.example.news., may not publish",
    "org": "organisation key of the authority trust mode",
    "keysvc": "key service (answers com.example.e2e.key.get)",
}
# readers with separate X25519 receiving keys (§b.8.6 (b)) for key bundles
READERS = {name: det("rk:" + name, 32) for name in ("bob", "frank", "gina")}
GK = {
    "g_news": GroupKey(det("gk:news", 32), "com.example.news."),
    "g_news2": GroupKey(det("gk:news2", 32), "com.example.news.", T0 + 86_400_000),
    "g_other": GroupKey(det("gk:other", 32), "com.example.other."),
    "g_old": GroupKey(det("gk:old", 32), "com.example.news.", T0 - 1000),
    "g_s": GroupKey(det("gk:s", 32), "com.example.s."),
    "g_p": GroupKey(det("gk:p", 32), "com.example.p."),
}
SCOPE = {name: det("ck:" + name, 32) for name in ("rpc", "rpc_other", "s", "e2e")}
SCOPE_PREFIX = {"rpc": "com.example.rpc.", "rpc_other": "com.example.rpc.", "s": "com.example.s.", "e2e": "com.example.e2e."}
KS = {name: det("ks:" + name, 32) for name in ("dave_rpc", "dave_rpc2", "dave_s", "dave_e2e", "carol_rpc")}
MASTER = det("uri-master", 32)
NS = {
    "s": Namespace.from_master(MASTER, "com.example.s.", "chained"),
    "p": Namespace.from_master(MASTER, "com.example.p.", "positional"),
}
SID = {name: det("sid:" + name, 8) for name in ("alice", "alice2", "carol", "dave", "erin", "mallory", "keysvc")}
XID = {name: det("xid:" + name, 16) for name in ("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "k1")}

ARGS_A = [1, "two", True, None, {"x": [3, -4]}]
KWARGS_A = {"k": "v", "n": -5}
ARGS_BIN = [b"\x00\x01\x02\xff", "h\u00e9llo \u2713", 2 ** 40, [b""]]
KWARGS_BIN = {"bin": b"\xde\xad\xbe\xef", "empty": {}, "list": []}


def exchange_spec(name, session, procedure, clear=None):
    x = {"role": "caller", "xid": XID[name].hex(), "session_key": KS[session].hex(), "procedure": procedure}
    if clear is not None:
        x["clear_procedure"] = clear
    return x


# ---------------------------------------------------------------------------------- messages

MESSAGES = []
BY_ID = {}


def message(mid, description, *, type, uri, args, kwargs, ser, key, key_ref, signer, sid, seq, ts=T0, xid=ZERO_XID,
            clear_uri=None, more=False, bucket=None, signed=True, wrap=None, session=None):
    i = {
        "type": type, "uri": uri, "clear_uri": clear_uri, "ser": ser, "args": to_json(args), "kwargs": to_json(kwargs),
        "key": key.hex(), "key_ref": key_ref, "signer": signer, "signer_seed": ID[signer].seed.hex(),
        "spk": ID[signer].pk.hex(), "sid": sid.hex(), "seq": seq, "ts": ts, "xid": xid.hex(),
        "nonce": det("nonce:" + mid, 24).hex(), "more": more, "bucket": bucket, "signed": signed, "wrap": None,
    }
    if session is not None:
        i["session_key"] = KS[session].hex()
    if wrap is not None:
        i["wrap"] = {"session_key": KS[wrap[0]].hex(), "scope_pk": x25519_public(SCOPE[wrap[1]]).hex(),
                     "ephemeral_sk": det("eph:" + mid, 32).hex()}
    m = {"id": mid, "description": description, "inputs": i}
    out = reseal(m)
    o = {
        "kid": hx(out["kid"]), "enc_key": hx(out["kid"]),
        "flags": make_flags(more=more, bucket=bucket, inner_uri=clear_uri is not None, signed=signed, wrapped=wrap is not None),
        "header": hx(out["header"]), "wrap": hx(out["wrap"]), "aad": hx(out["aad"]), "plaintext": hx(out["plaintext"]),
        "padded_plaintext": hx(out["padded"]), "ciphertext": hx(out["ciphertext"]),
        "sig_input": hx(out.get("sig_input")), "signature": hx(out.get("signature")), "payload": hx(out["payload"]),
        "length": len(out["payload"]), "overhead": len(out["payload"]) - len(out["plaintext"]),
    }
    if type == "CALL":
        rk = reply_key(key, xid)
        o["reply_key"], o["reply_kid"] = rk.hex(), kid(rk).hex()
    if session is not None:
        o["reply_key"] = reply_key(KS[session], xid).hex()
    m["outputs"] = o
    MESSAGES.append(m)
    BY_ID[mid] = m
    return m


def payload(mid):
    return bytes.fromhex(BY_ID[mid]["outputs"]["payload"])


def build_messages():
    g = GK["g_news"]
    message("pub-json", "PUBLISH, json, signed by the publisher (minimal overhead 200)", type="PUBLISH",
            uri="com.example.news.sports", args=ARGS_A, kwargs=KWARGS_A, ser="json", key=g.key, key_ref="g_news",
            signer="alice", sid=SID["alice"], seq=1)
    message("pub-msgpack", "PUBLISH, msgpack", type="PUBLISH", uri="com.example.news.sports", args=ARGS_A,
            kwargs=KWARGS_A, ser="msgpack", key=g.key, key_ref="g_news", signer="alice", sid=SID["alice"], seq=2)
    message("pub-cbor", "PUBLISH, cbor", type="PUBLISH", uri="com.example.news.sports", args=ARGS_A,
            kwargs=KWARGS_A, ser="cbor", key=g.key, key_ref="g_news", signer="alice", sid=SID["alice"], seq=3)
    for n, ser in enumerate(("json", "msgpack", "cbor")):
        message(f"pub-binary-{ser}", f"PUBLISH with binary values, non-ASCII text and a 2^40 integer, {ser}",
                type="PUBLISH", uri="com.example.news.binary", args=ARGS_BIN, kwargs=KWARGS_BIN, ser=ser, key=g.key,
                key_ref="g_news", signer="alice", sid=SID["alice"], seq=4 + n)
    message("pub-empty", "PUBLISH with empty args and kwargs", type="PUBLISH", uri="com.example.news.empty", args=[],
            kwargs={}, ser="json", key=g.key, key_ref="g_news", signer="alice", sid=SID["alice"], seq=7)
    message("pub-pad64-json", "PUBLISH padded to the 64-byte bucket", type="PUBLISH", uri="com.example.news.sports",
            args=ARGS_A, kwargs=KWARGS_A, ser="json", key=g.key, key_ref="g_news", signer="alice", sid=SID["alice"],
            seq=8, bucket=0)
    message("pub-pad256-msgpack", "PUBLISH padded to the 256-byte bucket", type="PUBLISH",
            uri="com.example.news.sports", args=ARGS_A, kwargs=KWARGS_A, ser="msgpack", key=g.key, key_ref="g_news",
            signer="alice", sid=SID["alice"], seq=9, bucket=1)
    message("pub-pad1024-cbor", "PUBLISH padded to the 1024-byte bucket", type="PUBLISH",
            uri="com.example.news.sports", args=ARGS_A, kwargs=KWARGS_A, ser="cbor", key=g.key, key_ref="g_news",
            signer="alice", sid=SID["alice"], seq=10, bucket=2)
    # plaintext of exactly 64 bytes: a whole extra block of padding
    message("pub-pad64-exact", "PUBLISH whose plaintext is exactly 64 bytes: padded to 128", type="PUBLISH",
            uri="com.example.news.sports", args=["x" * 39], kwargs={}, ser="json", key=g.key, key_ref="g_news",
            signer="alice", sid=SID["alice"], seq=11, bucket=0)
    message("pub-news2", "PUBLISH under the rotated group key g_news2", type="PUBLISH", uri="com.example.news.sports",
            args=[2], kwargs={}, ser="json", key=GK["g_news2"].key, key_ref="g_news2", signer="alice",
            sid=SID["alice"], seq=12)
    message("pub-old-key", "PUBLISH under g_old (not_after passed)", type="PUBLISH", uri="com.example.news.sports",
            args=[0], kwargs={}, ser="json", key=GK["g_old"].key, key_ref="g_old", signer="alice", sid=SID["alice"],
            seq=13)
    clear = "com.example.s.orders.created"
    message("pub-scrambled-chained", "PUBLISH on a chained-scrambled URI, clear URI inside (INNER_URI)",
            type="PUBLISH", uri=NS["s"].scramble(clear), clear_uri=clear, args=[{"order": 17}], kwargs={}, ser="json",
            key=GK["g_s"].key, key_ref="g_s", signer="alice", sid=SID["alice"], seq=14)
    clear = "com.example.p.orders.created"
    message("pub-scrambled-positional", "PUBLISH on a positional-scrambled URI (INNER_URI)", type="PUBLISH",
            uri=NS["p"].scramble(clear), clear_uri=clear, args=[{"order": 18}], kwargs={}, ser="cbor",
            key=GK["g_p"].key, key_ref="g_p", signer="alice", sid=SID["alice"], seq=15)
    for seq in (2000, 977, 976, 5, 3):
        message(f"pub-seq{seq}", f"PUBLISH with seq {seq} on a second stream (window tests)", type="PUBLISH",
                uri="com.example.news.sports", args=[seq], kwargs={}, ser="json", key=g.key, key_ref="g_news",
                signer="alice", sid=SID["alice2"], seq=seq)
    message("pub-mallory", "a reader's own PUBLISH (holds g_news, not authorized)", type="PUBLISH",
            uri="com.example.news.sports", args=["forged"], kwargs={}, ser="json", key=g.key, key_ref="g_news",
            signer="mallory", sid=SID["mallory"], seq=1)
    message("pub-carol-news", "PUBLISH by carol (authorized on com.example.other. only) on com.example.news.",
            type="PUBLISH", uri="com.example.news.sports", args=["forged"], kwargs={}, ser="json", key=g.key,
            key_ref="g_news", signer="carol", sid=SID["carol"], seq=1)
    message("pub-stale", "PUBLISH with ts = T0 - 400 s", type="PUBLISH", uri="com.example.news.sports", args=[1],
            kwargs={}, ser="json", key=g.key, key_ref="g_news", signer="alice", sid=SID["alice"], seq=16,
            ts=T0 - 400_000)
    # RPC: dave -> erin on com.example.rpc. (session dave_rpc)
    rpc = "com.example.rpc.add"
    message("call-wrapped", "first CALL of a session: WRAPPED + SIGNED", type="CALL", uri=rpc, args=[2, 3],
            kwargs={}, ser="json", key=KS["dave_rpc"], key_ref="dave_rpc", signer="dave", sid=SID["dave"], seq=1,
            xid=XID["c1"], wrap=("dave_rpc", "rpc"))
    message("call-session", "later CALL on the session: AEAD only", type="CALL", uri=rpc, args=[4, 5],
            kwargs={"round": True}, ser="json", key=KS["dave_rpc"], key_ref="dave_rpc", signer="dave", sid=SID["dave"],
            seq=2, xid=XID["c2"], signed=False)
    message("call-session-signed", "later CALL, signed (signEveryCall), cbor", type="CALL", uri=rpc, args=[6, 7],
            kwargs={}, ser="cbor", key=KS["dave_rpc"], key_ref="dave_rpc", signer="dave", sid=SID["dave"], seq=3,
            xid=XID["c3"])
    message("call-session-c4", "later CALL answered by an ERROR, msgpack", type="CALL", uri=rpc, args=["bad"],
            kwargs={}, ser="msgpack", key=KS["dave_rpc"], key_ref="dave_rpc", signer="dave", sid=SID["dave"], seq=4,
            xid=XID["c4"], signed=False)
    for n, (more, args) in enumerate(((True, ["chunk", 1]), (True, ["chunk", 2]), (False, ["chunk", 3]))):
        message(f"call-progressive-{n + 1}", f"progressive CALL chunk {n + 1} of a new session"
                + (" (WRAPPED: first chunk)" if n == 0 else "") + ("" if more else ", final"), type="CALL",
                uri="com.example.rpc.upload", args=args, kwargs={}, ser="json", key=KS["dave_rpc2"],
                key_ref="dave_rpc2", signer="dave", sid=SID["dave"], seq=5 + n, xid=XID["c5"], more=more,
                signed=n == 0, wrap=("dave_rpc2", "rpc") if n == 0 else None)
    message("call-wrong-scope", "first CALL wrapped to another scope key (rpc_other)", type="CALL", uri=rpc,
            args=[1], kwargs={}, ser="json", key=KS["dave_rpc"], key_ref="dave_rpc", signer="dave", sid=SID["dave"],
            seq=8, xid=XID["c6"], wrap=("dave_rpc", "rpc_other"))
    message("call-mallory-spk", "later CALL on dave's session key, header spk = mallory", type="CALL", uri=rpc,
            args=[1], kwargs={}, ser="json", key=KS["dave_rpc"], key_ref="dave_rpc", signer="mallory",
            sid=SID["mallory"], seq=2, xid=XID["c7"], signed=False)
    message("call-carol-rewrap", "carol wraps dave's session key as her own first CALL", type="CALL", uri=rpc,
            args=[1], kwargs={}, ser="json", key=KS["dave_rpc"], key_ref="dave_rpc", signer="carol", sid=SID["carol"],
            seq=2, xid=XID["c8"], wrap=("dave_rpc", "rpc"))
    # replies (erin answers; K_reply = K_reply(K_s, xid))
    def rk(s, x):
        return reply_key(KS[s], XID[x])
    message("yield-c1", "final YIELD to call-wrapped, unsigned", type="YIELD", uri=rpc, args=[5], kwargs={},
            ser="json", key=rk("dave_rpc", "c1"), key_ref="K_reply(dave_rpc, c1)", signer="erin", sid=SID["erin"],
            seq=1, xid=XID["c1"], signed=False, session="dave_rpc")
    for n, more in enumerate((True, True, False)):
        message(f"yield-c2-{n + 1}", f"YIELD index {n + 1} to call-session" + (" (progressive)" if more else " (final)"),
                type="YIELD", uri=rpc, args=[n if more else 9], kwargs={}, ser="json", key=rk("dave_rpc", "c2"),
                key_ref="K_reply(dave_rpc, c2)", signer="erin", sid=SID["erin"], seq=n + 1, xid=XID["c2"], more=more,
                signed=False, session="dave_rpc")
    message("yield-c3-signed", "final YIELD to call-session-signed, signed (signReplies), cbor", type="YIELD", uri=rpc,
            args=[13], kwargs={"by": "erin"}, ser="cbor", key=rk("dave_rpc", "c3"), key_ref="K_reply(dave_rpc, c3)",
            signer="erin", sid=SID["erin"], seq=1, xid=XID["c3"], session="dave_rpc")
    message("error-c4", "ERROR to call-session-c4, unsigned, msgpack", type="ERROR", uri="com.example.error.bad_input",
            args=["bad"], kwargs={"field": "a"}, ser="msgpack", key=rk("dave_rpc", "c4"), key_ref="K_reply(dave_rpc, c4)",
            signer="erin", sid=SID["erin"], seq=1, xid=XID["c4"], signed=False, session="dave_rpc")
    message("error-c4-signed", "ERROR to call-session-c4, signed", type="ERROR", uri="com.example.error.bad_input",
            args=["bad"], kwargs={}, ser="json", key=rk("dave_rpc", "c4"), key_ref="K_reply(dave_rpc, c4)",
            signer="erin", sid=SID["erin"], seq=1, xid=XID["c4"], session="dave_rpc")
    message("yield-c5", "final YIELD to the progressive call", type="YIELD", uri="com.example.rpc.upload",
            args=[3], kwargs={}, ser="json", key=rk("dave_rpc2", "c5"), key_ref="K_reply(dave_rpc2, c5)", signer="erin",
            sid=SID["erin"], seq=1, xid=XID["c5"], signed=False, session="dave_rpc2")
    message("yield-c1-under-c2-key", "YIELD with xid c1 sealed under K_reply(dave_rpc, c2)", type="YIELD", uri=rpc,
            args=[5], kwargs={}, ser="json", key=rk("dave_rpc", "c2"), key_ref="K_reply(dave_rpc, c2)", signer="erin",
            sid=SID["erin"], seq=1, xid=XID["c1"], signed=False)
    # scrambled RPC: procedure and error URI in the com.example.s. namespace
    clear_p, clear_e = "com.example.s.billing.charge", "com.example.s.errors.declined"
    message("call-scrambled", "first CALL on a scrambled procedure (INNER_URI, WRAPPED)", type="CALL",
            uri=NS["s"].scramble(clear_p), clear_uri=clear_p, args=[100], kwargs={"currency": "EUR"}, ser="json",
            key=KS["dave_s"], key_ref="dave_s", signer="dave", sid=SID["dave"], seq=9, xid=XID["c9"],
            wrap=("dave_s", "s"))
    message("error-scrambled", "ERROR with a scrambled error URI (INNER_URI)", type="ERROR",
            uri=NS["s"].scramble(clear_e), clear_uri=clear_e, args=["declined"], kwargs={}, ser="json",
            key=reply_key(KS["dave_s"], XID["c9"]), key_ref="K_reply(dave_s, c9)", signer="erin", sid=SID["erin"],
            seq=1, xid=XID["c9"], signed=False, session="dave_s")
    clear_forged = "com.example.s.orders.deleted"
    message("pub-scrambled-forged-inner", "PUBLISH on the wire URI of ...orders.created carrying inner URI ...orders.deleted",
            type="PUBLISH", uri=NS["s"].scramble("com.example.s.orders.created"), clear_uri=clear_forged,
            args=[{"order": 17}], kwargs={}, ser="json", key=GK["g_s"].key, key_ref="g_s", signer="alice",
            sid=SID["alice"], seq=17)
    message("pub-scrambled-no-inner", "PUBLISH on a scrambled wire URI without INNER_URI", type="PUBLISH",
            uri=NS["s"].scramble("com.example.s.orders.created"), args=[{"order": 17}], kwargs={}, ser="json",
            key=GK["g_s"].key, key_ref="g_s", signer="alice", sid=SID["alice"], seq=18)
    # key service: dave asks keysvc for g_news2 (signed first CALL), keysvc answers
    message("call-key-get", "key.get CALL {kid, uri}, first of a session (WRAPPED, SIGNED by the reader)", type="CALL",
            uri="com.example.e2e.key.get", args=[], kwargs={"kid": GK["g_news2"].kid, "uri": "com.example.news.sports"},
            ser="cbor", key=KS["dave_e2e"], key_ref="dave_e2e", signer="dave", sid=SID["dave"], seq=10, xid=XID["k1"],
            wrap=("dave_e2e", "e2e"))
    g2 = GK["g_news2"]
    message("yield-key-get", "key.get reply {kid, key, scope, not_after} under K_reply", type="YIELD",
            uri="com.example.e2e.key.get", args=[],
            kwargs={"kid": g2.kid, "key": g2.key, "scope": g2.scope, "not_after": g2.not_after}, ser="cbor",
            key=reply_key(KS["dave_e2e"], XID["k1"]), key_ref="K_reply(dave_e2e, k1)", signer="keysvc",
            sid=SID["keysvc"], seq=1, xid=XID["k1"], signed=False, session="dave_e2e")
    bundle = make_bundle(g2, [x25519_public(READERS["bob"]), x25519_public(READERS["frank"])],
                         [det("eph:bundle:bob", 32), det("eph:bundle:frank", 32)])
    message("pub-key-bundle", "push bundle on ...e2e.key.bundle: [[PKID(rk), seal(record, rk)], ...] for bob and frank",
            type="PUBLISH", uri="com.example.news.e2e.key.bundle", args=bundle, kwargs={}, ser="msgpack", key=g.key,
            key_ref="g_news", signer="alice", sid=SID["alice"], seq=19)


# ---------------------------------------------------------------------------------- crafted payloads


def flip(b, offset, mask=0x01):
    b = bytearray(b)
    b[offset] ^= mask
    return bytes(b)


def setbyte(b, offset, value):
    b = bytearray(b)
    b[offset] = value
    return bytes(b)


def craft(*, type, uri, plaintext, key, signer, seq, xid=ZERO_XID, flags=None, ser="json", ts=T0, label, sid=None):
    """A correctly sealed (and signed, when flags say so) payload around an arbitrary plaintext."""
    if flags is None:
        flags = make_flags(signed=True)
    h = Header(type=TYPE_BY_NAME[type], flags=flags, ser=SER_BY_NAME[ser], kid=kid(key), spk=ID[signer].pk,
               sid=sid or SID[signer], seq=seq, ts=ts, xid=xid, nonce=det("nonce:" + label, 24))
    return seal_raw(header=h, uri=uri, key=key, plaintext=plaintext, signing_seed=ID[signer].seed)["payload"]


def crafted():
    g = GK["g_news"].key
    t = "com.example.news.sports"
    pt = serialize(1, {"args": [1], "kwargs": {}})
    c = {}
    c["seq0"] = craft(type="PUBLISH", uri=t, plaintext=pt, key=g, signer="alice", seq=0, label="seq0")
    c["pub-xid"] = craft(type="PUBLISH", uri=t, plaintext=pt, key=g, signer="alice", seq=30, xid=XID["c1"], label="pub-xid")
    c["call-zero-xid"] = craft(type="CALL", uri="com.example.rpc.add", plaintext=pt, key=KS["dave_rpc"], signer="dave",
                               seq=30, label="call-zero-xid")
    # PADDED (bucket 64) but the padded plaintext has no 0x80 marker: zeros up to 64
    c["bad-padding"] = craft(type="PUBLISH", uri=t, plaintext=pt + bytes(64 - len(pt)), key=g, signer="alice", seq=31,
                             flags=make_flags(signed=True, bucket=0), label="bad-padding")
    # PADDED (bucket 64) but 63 bytes long: not a multiple of the bucket
    c["pad-length"] = craft(type="PUBLISH", uri=t, plaintext=nacl_pad(pt, 64)[:-1], key=g, signer="alice", seq=32,
                            flags=make_flags(signed=True, bucket=0), label="pad-length")
    c["garbage"] = craft(type="PUBLISH", uri=t, plaintext=b"\xff\xfe{", key=g, signer="alice", seq=33, label="garbage")
    c["args-map"] = craft(type="PUBLISH", uri=t, plaintext=b'{"args":{},"kwargs":{}}', key=g, signer="alice", seq=34,
                          label="args-map")
    c["uri-without-flag"] = craft(type="PUBLISH", uri=t, plaintext=b'{"args":[],"kwargs":{},"uri":"com.example.news.sports"}',
                                  key=g, signer="alice", seq=35, label="uri-without-flag")
    c["extra-key"] = craft(type="PUBLISH", uri=t, plaintext=b'{"args":[],"kwargs":{},"x":1}', key=g, signer="alice",
                           seq=36, label="extra-key")
    c["json-reordered"] = craft(type="PUBLISH", uri=t, plaintext=b'{ "kwargs" : {"a":"\\u00e9"}, "args" : [ 1.0e0 ] }',
                                key=g, signer="alice", seq=37, label="json-reordered")
    # key commitment: header kid = KID(K_s), AEAD under K_s, but the wrap carries another key
    h = Header(type=2, flags=make_flags(signed=True, wrapped=True), ser=1, kid=kid(KS["dave_rpc"]), spk=ID["dave"].pk,
               sid=SID["dave"], seq=40, ts=T0, xid=XID["c6"], nonce=det("nonce:commit", 24))
    wrap = seal_box(KS["carol_rpc"], x25519_public(SCOPE["rpc"]), det("eph:commit", 32))
    c["key-commitment"] = seal_raw(header=h, uri="com.example.rpc.add", key=KS["dave_rpc"], plaintext=pt, wrap=wrap,
                                   signing_seed=ID["dave"].seed)["payload"]
    c["other-scope"] = craft(type="PUBLISH", uri="com.example.other.x", plaintext=pt, key=g, signer="carol", seq=50,
                             label="other-scope")
    c["no-scope"] = seal_message(
        type=2, uri="com.example.zzz.add", args=[], kwargs={}, ser="json", key=KS["dave_rpc"], seed=ID["dave"].seed,
        sid=SID["dave"], seq=51, ts=T0, xid=XID["c6"], nonce=det("nonce:no-scope", 24), signed=True,
        wrap_session_key=KS["dave_rpc"], scope_pk=x25519_public(SCOPE["rpc"]), ephemeral_sk=det("eph:no-scope", 32))["payload"]
    return c


def nacl_pad(data, size):
    import nacl.bindings
    return nacl.bindings.sodium_pad(data, size)


def payload_hex(p):
    return {"$bytes_hex": p.hex()}


# ---------------------------------------------------------------------------------- receivers

ALL_ROUTES = [
    {"prefix": "", "scheme": "x_e2ev2", "carriages": ["transparent", "argument"]},
    {"prefix": "com.example.cb.", "scheme": "cryptobox", "carriages": ["transparent"]},
    {"prefix": "com.example.strict.", "scheme": "x_e2ev2", "carriages": ["transparent"]},
]


def grant(who, prefix, *roles):
    return {"spk": ID[who].pk.hex(), "prefix": prefix, "roles": list(roles)}


def gk_json(name):
    g = GK[name]
    return {"ref": name, "key": g.key.hex(), "kid": g.kid.hex(), "scope": g.scope, "not_after": g.not_after, "writers": None}


def ns_json(name):
    n = NS[name]
    return {"prefix": n.prefix, "key": n.key.hex(), "mode": n.mode}


def scope_json(name):
    return {"ref": name, "prefix": SCOPE_PREFIX[name], "x25519_sk": SCOPE[name].hex(),
            "x25519_pk": x25519_public(SCOPE[name]).hex(), "pkid": pkid(x25519_public(SCOPE[name])).hex()}


def session_json(ks, owner, scope):
    return {"ref": ks, "key": KS[ks].hex(), "kid": kid(KS[ks]).hex(), "owner": ID[owner].pk.hex(), "scope": scope}


def base(**kw):
    r = {"max_skew_ms": SKEW, "window_size": 1024, "windows_per_sender": 64, "windows_total": 4096,
         "key_grace_ms": 0, "sign_replies": False, "sign_every_call": False, "routes": ALL_ROUTES,
         "trust": [], "group_keys": [], "scope_keys": [], "sessions": [], "namespaces": [ns_json("s"), ns_json("p")]}
    r.update(kw)
    return r


SUB_TRUST = [grant("alice", "com.example.news.", "publish"), grant("alice", "com.example.s.", "publish"),
             grant("alice", "com.example.p.", "publish"), grant("carol", "com.example.other.", "publish")]
SUB_KEYS = [gk_json(n) for n in ("g_news", "g_news2", "g_other", "g_old", "g_s", "g_p")]
CALLEE_TRUST = [grant("dave", "com.example.rpc.", "call"), grant("dave", "com.example.s.", "call"),
                grant("dave", "com.example.e2e.", "call"), grant("carol", "com.example.rpc.", "call"),
                grant("dave", "com.example.zzz.", "call")]
CALLEE_SCOPES = [scope_json(n) for n in ("rpc", "s", "e2e")]
DAVE_SESSION = session_json("dave_rpc", "dave", "com.example.rpc.")
CALLER_TRUST = [grant("erin", "com.example.rpc.", "answer"), grant("erin", "com.example.s.", "answer"),
                grant("keysvc", "com.example.e2e.", "answer")]

RECEIVERS = {
    "subscriber": base(trust=SUB_TRUST, group_keys=SUB_KEYS),
    "subscriber-no-news-key": base(trust=SUB_TRUST, group_keys=[k for k in SUB_KEYS if k["ref"] != "g_news"]),
    "subscriber-no-skew": base(trust=SUB_TRUST, group_keys=SUB_KEYS, max_skew_ms=0),
    "subscriber-grace": base(trust=SUB_TRUST, group_keys=SUB_KEYS, key_grace_ms=5000),
    "callee": base(trust=CALLEE_TRUST, scope_keys=CALLEE_SCOPES),
    "callee-session": base(trust=CALLEE_TRUST, scope_keys=CALLEE_SCOPES, sessions=[DAVE_SESSION]),
    "callee-session-revoked": base(trust=[t for t in CALLEE_TRUST if t["spk"] != ID["dave"].pk.hex()],
                                   scope_keys=CALLEE_SCOPES, sessions=[DAVE_SESSION]),
    "callee-sign-every-call": base(trust=CALLEE_TRUST, scope_keys=CALLEE_SCOPES, sessions=[DAVE_SESSION],
                                   sign_every_call=True),
    "caller": base(trust=CALLER_TRUST),
    "caller-sign-replies": base(trust=CALLER_TRUST, sign_replies=True),
}


# ---------------------------------------------------------------------------------- scenarios

SCENARIOS = []
WAMP_OF = {"PUBLISH": "EVENT", "CALL": "INVOCATION", "YIELD": "RESULT", "ERROR": "ERROR"}


def env(mid=None, *, data=None, ser=None, enc_key="auto", dialect="autobahn", carriage="transparent", scheme="x_e2ev2"):
    """Envelope of a message (by id) or of raw bytes."""
    m = BY_ID.get(mid)
    b = data if data is not None else payload(mid)
    if carriage == "argument":
        return {"carriage": "plain", "args": [payload_hex(b)], "kwargs": {}}
    if ser is None:
        ser = m["inputs"]["ser"] if m else {1: "json", 2: "msgpack", 3: "cbor"}.get(b[5] if len(b) > 5 else 1, "json")
    k = (m["outputs"]["kid"] if m else None) if enc_key == "auto" else enc_key
    if dialect == "spec":
        e = {"carriage": "transparent", "dialect": "spec", "ppt_scheme": scheme, "ppt_serializer": ser,
             "ppt_cipher": "xchacha20poly1305", "payload": payload_hex(b)}
        if k is not None:
            e["ppt_keyid"] = k
        return e
    e = {"carriage": "transparent", "dialect": "autobahn", "enc_algo": scheme, "enc_serializer": ser,
         "payload": payload_hex(b)}
    if k is not None:
        e["enc_key"] = k
    return e


def ok(mid, **extra):
    i = BY_ID[mid]["inputs"]
    signed_or_authed = i["signed"] or i["type"] in ("PUBLISH", "CALL")
    e = {"ok": True, "args": i["args"], "kwargs": i["kwargs"], "uri": i["clear_uri"] or i["uri"], "spk": i["spk"],
         "author": i["spk"] if signed_or_authed else None, "signed": i["signed"], "more": i["more"], "stale": False,
         "carriage": "transparent"}
    e.update(extra)
    return e


def err(code):
    return {"ok": False, "error": code}


def step(mid, expect, *, wamp=None, uri="auto", envelope=None, now=NOW, exchange=None, progress="auto", retained=False):
    m = BY_ID.get(mid)
    wamp = wamp or WAMP_OF[m["inputs"]["type"]]
    if uri == "auto":
        uri = None if wamp == "RESULT" else m["inputs"]["uri"]
    if progress == "auto":
        progress = m["inputs"]["more"] if m else False
    s = {"wamp": wamp, "uri": uri, "exchange": exchange, "progress": progress, "retained": retained, "now_ms": now,
         "envelope": envelope if envelope is not None else env(mid), "expect": expect}
    if m is not None:
        s["message"] = mid
    return s


def raw_step(wamp, uri, envelope, expect, *, now=NOW, exchange=None, progress=False, retained=False, note=None):
    s = {"wamp": wamp, "uri": uri, "exchange": exchange, "progress": progress, "retained": retained, "now_ms": now,
         "envelope": envelope, "expect": expect}
    if note:
        s["note"] = note
    return s


def scenario(sid, description, receiver, steps, exchanges=None):
    SCENARIOS.append({"id": sid, "description": description, "receiver": receiver, "exchanges": exchanges or {},
                      "steps": steps})


X = {
    "c1": exchange_spec("c1", "dave_rpc", "com.example.rpc.add"),
    "c2": exchange_spec("c2", "dave_rpc", "com.example.rpc.add"),
    "c3": exchange_spec("c3", "dave_rpc", "com.example.rpc.add"),
    "c4": exchange_spec("c4", "dave_rpc", "com.example.rpc.add"),
    "c5": exchange_spec("c5", "dave_rpc2", "com.example.rpc.upload"),
    "c9": exchange_spec("c9", "dave_s", NS["s"].scramble("com.example.s.billing.charge"), "com.example.s.billing.charge"),
    "k1": exchange_spec("k1", "dave_e2e", "com.example.e2e.key.get"),
}
CALLEE_X = {"inv": {"role": "callee"}}


def build_open_scenarios():
    """Every message opened by a receiver entitled to it (the positive cases)."""
    for mid in [m["id"] for m in MESSAGES]:
        i = BY_ID[mid]["inputs"]
        if mid in NOT_OPENABLE:
            continue
        t = i["type"]
        if t == "PUBLISH":
            scenario(f"open-{mid}", f"{mid} delivered", "subscriber", [step(mid, ok(mid))])
        elif t == "CALL":
            if i["wrap"] is not None:
                rcv = "callee"
                steps = [step(mid, ok(mid), exchange="inv")]
            else:
                rcv = "callee-session" if mid != "call-progressive-2" else "callee"
                steps = [step(mid, ok(mid), exchange="inv")]
            if mid.startswith("call-progressive-") and mid != "call-progressive-1":
                rcv = "callee"
                n = int(mid[-1])
                steps = [step(f"call-progressive-{k}", ok(f"call-progressive-{k}"), exchange="inv") for k in range(1, n + 1)]
            if mid == "call-session-signed":
                rcv = "callee-sign-every-call"
            scenario(f"open-{mid}", f"{mid} delivered to the callee", rcv, steps, CALLEE_X)
        else:
            x = {XID[n].hex(): n for n in XID}[i["xid"]]
            rcv = "caller-sign-replies" if i["signed"] else "caller"
            steps = []
            if mid in ("yield-c2-2", "yield-c2-3"):
                steps = [step(f"yield-c2-{k}", ok(f"yield-c2-{k}"), exchange=x) for k in range(1, int(mid[-1]))]
            steps.append(step(mid, ok(mid), exchange=x))
            scenario(f"open-{mid}", f"{mid} delivered to the caller", rcv, steps, {x: X[x]})


NOT_OPENABLE = {"pub-mallory", "pub-carol-news", "pub-stale", "pub-old-key", "call-wrong-scope", "call-mallory-spk",
                "call-carol-rewrap", "yield-c1-under-c2-key", "pub-scrambled-forged-inner", "pub-scrambled-no-inner"}


def build_behaviour_scenarios():
    c = crafted()
    P = payload
    news = "com.example.news.sports"
    pj = P("pub-json")

    # carriages and dialects
    scenario("carriage-spec-dialect", "pub-json in the spec dialect (ppt_*)", "subscriber",
             [step("pub-json", ok("pub-json"), envelope=env("pub-json", dialect="spec"))])
    scenario("carriage-argument", "pub-json as one binary argument (§b.16); the same bytes again transparently: replay",
             "subscriber", [step("pub-json", ok("pub-json", carriage="argument"), envelope=env("pub-json", carriage="argument")),
                            step("pub-json", err("replay"))])
    scenario("carriage-argument-call", "call-wrapped as one binary argument", "callee",
             [step("call-wrapped", ok("call-wrapped", carriage="argument"), envelope=env("call-wrapped", carriage="argument"),
                   exchange="inv")], CALLEE_X)
    scenario("carriage-argument-result", "yield-c1 as one binary argument", "caller",
             [step("yield-c1", ok("yield-c1", carriage="argument"), envelope=env("yield-c1", carriage="argument"),
                   exchange="c1")], {"c1": X["c1"]})
    scenario("carriage-no-enc-key", "enc_key absent (Autobahn never sends it): accepted", "subscriber",
             [step("pub-json", ok("pub-json"), envelope=env("pub-json", enc_key=None))])
    scenario("any-valid-json", "a JSON plaintext with whitespace, other key order and escapes is accepted", "subscriber",
             [raw_step("EVENT", news, env(data=c["json-reordered"]),
                       {"ok": True, "args": [1.0], "kwargs": {"a": "\u00e9"}, "uri": news, "signed": True})])

    # step 0: downgrade and envelope
    scenario("downgrade-plaintext", "plaintext EVENT on an x_e2ev2 URI", "subscriber",
             [raw_step("EVENT", news, {"carriage": "plain", "args": [1], "kwargs": {}}, err("downgrade"))])
    scenario("downgrade-binary-with-kwargs", "one binary argument plus kwargs is not argument carriage: plaintext",
             "subscriber", [raw_step("EVENT", news, {"carriage": "plain", "args": [payload_hex(pj)], "kwargs": {"a": 1}},
                                     err("downgrade"))])
    scenario("downgrade-cryptobox", "a cryptobox payload on an x_e2ev2 URI", "subscriber",
             [raw_step("EVENT", news, env(data=pj, scheme="cryptobox", enc_key=None), err("downgrade"))])
    scenario("downgrade-v2-on-cryptobox-uri", "x_e2ev2 on a URI configured for cryptobox", "subscriber",
             [raw_step("EVENT", "com.example.cb.sports", env("pub-json"), err("downgrade"))])
    scenario("downgrade-argument-not-allowed", "argument carriage on a transparent-only URI", "subscriber",
             [raw_step("EVENT", "com.example.strict.x", env("pub-json", carriage="argument"), err("downgrade"))])
    scenario("downgrade-plain-result", "plaintext RESULT to a sealed call", "caller",
             [raw_step("RESULT", None, {"carriage": "plain", "args": [5], "kwargs": {}}, err("downgrade"), exchange="c1")],
             {"c1": X["c1"]})
    scenario("downgrade-plain-app-error", "plaintext application ERROR to a sealed call (W5)", "caller",
             [raw_step("ERROR", "com.example.error.bad_input", {"carriage": "plain", "args": ["x"], "kwargs": {}},
                       err("downgrade"), exchange="c4")], {"c4": X["c4"]})
    scenario("router-error-plaintext", "plaintext wamp.error.* to a sealed call: delivered, unauthenticated", "caller",
             [raw_step("ERROR", "wamp.error.canceled", {"carriage": "plain", "args": [], "kwargs": {}},
                       {"ok": True, "args": [], "kwargs": {}, "passthrough": True}, exchange="c4")], {"c4": X["c4"]})
    scenario("envelope-not-binary", "transparent carriage whose payload is a list", "subscriber",
             [raw_step("EVENT", news, {"carriage": "transparent", "dialect": "autobahn", "enc_algo": "x_e2ev2",
                                       "enc_serializer": "json", "payload": [1]}, err("envelope"))])
    bad_cipher = env("pub-json", dialect="spec")
    bad_cipher["ppt_cipher"] = "aes256gcm"
    scenario("envelope-ppt-cipher", "spec dialect with ppt_cipher other than xchacha20poly1305", "subscriber",
             [raw_step("EVENT", news, bad_cipher, err("envelope"))])

    # step 1: parse
    signed_min = 120 + 16 + 64
    for name, data, code, note in [
        ("truncated-empty", b"", "malformed", "0 bytes"),
        ("truncated-4", pj[:4], "malformed", "4 bytes"),
        ("truncated-header", pj[:100], "malformed", "100 bytes"),
        ("truncated-signed-min", pj[:signed_min - 1], "malformed", "one byte short of 120+16+64"),
        ("truncated-wrapped", P("call-wrapped")[:120 + 80 + 16 + 64 - 1], "malformed", "one byte short of 120+80+16+64"),
        ("bad-signature-length", pj[:-1], "signature", "last byte dropped: the signature is read from the last 64 bytes"),
        ("magic", flip(pj, 0), "magic", "byte 0 flipped"),
        ("suite-2", setbyte(pj, 2, 2), "suite", "suite 2 (HPKE, reserved)"),
        ("suite-0", setbyte(pj, 2, 0), "suite", "suite 0"),
        ("reserved-byte", setbyte(pj, 7, 1), "reserved", "byte 7 = 1"),
        ("reserved-bit7", flip(pj, 4, 0x80), "reserved", "flag bit 7"),
        ("bucket-without-padded", flip(pj, 4, 0x20), "reserved", "bucket bits without PADDED"),
        ("bucket-3", flip(P("pub-pad256-msgpack"), 4, 0x40), "reserved", "bucket 1 -> 3"),
        ("publish-wrapped", flip(P("pub-pad1024-cbor"), 4, 0x10), "flags", "WRAPPED on a (long enough) PUBLISH"),
        ("publish-unsigned", setbyte(pj[:-64], 4, pj[4] & ~0x08), "unsigned", "SIGNED cleared and signature dropped"),
        ("seq-zero", c["seq0"], "header", "seq 0 (validly signed)"),
        ("publish-xid", c["pub-xid"], "header", "PUBLISH with a non-zero xid (validly signed)"),
    ]:
        scenario(f"parse-{name}", f"step 1: {note}", "subscriber", [raw_step("EVENT", news, env(data=data, enc_key=None), err(code), note=note)])
    cw = P("call-wrapped")
    scenario("parse-wrapped-unsigned", "step 1: WRAPPED without SIGNED", "callee",
             [raw_step("INVOCATION", "com.example.rpc.add", env(data=setbyte(cw[:-64], 4, cw[4] & ~0x08), enc_key=None),
                       err("unsigned"), exchange="inv")], CALLEE_X)
    scenario("parse-call-zero-xid", "step 1: CALL with a zero xid", "callee-session",
             [raw_step("INVOCATION", "com.example.rpc.add", env(data=c["call-zero-xid"], enc_key=None), err("header"),
                       exchange="inv")], CALLEE_X)
    scenario("policy-sign-every-call", "step 1: unsigned later CALL to a receiver with signEveryCall", "callee-sign-every-call",
             [step("call-session", err("unsigned"), exchange="inv")], CALLEE_X)
    scenario("policy-sign-replies", "step 1: unsigned YIELD to a receiver with signReplies", "caller-sign-replies",
             [step("yield-c1", err("unsigned"), exchange="c1")], {"c1": X["c1"]})

    # step 2: binding
    scenario("type-event-as-invocation", "PUBLISH payload delivered as INVOCATION", "callee",
             [step("pub-json", err("type"), wamp="INVOCATION", uri="com.example.news.sports", exchange="inv")], CALLEE_X)
    scenario("type-yield-as-error", "YIELD payload delivered as ERROR", "caller",
             [step("yield-c1", err("type"), wamp="ERROR", uri="com.example.error.x", exchange="c1")], {"c1": X["c1"]})
    scenario("type-error-as-result", "ERROR payload delivered as RESULT", "caller",
             [step("error-c4", err("type"), wamp="RESULT", uri=None, exchange="c4")], {"c4": X["c4"]})
    scenario("serializer-mismatch", "enc_serializer msgpack, header ser json", "subscriber",
             [step("pub-json", err("serializer"), envelope=env("pub-json", ser="msgpack"))])
    scenario("serializer-mismatch-spec", "ppt_serializer cbor, header ser json", "subscriber",
             [step("pub-json", err("serializer"), envelope=env("pub-json", ser="cbor", dialect="spec"))])
    scenario("serializer-unknown", "ser byte 4 (argument carriage: nothing else to compare)", "subscriber",
             [raw_step("EVENT", news, env(data=setbyte(pj, 5, 4), carriage="argument"), err("serializer"))])
    scenario("progress-flipped-final-result", "router sets progress on a final RESULT; then the true one is accepted "
             "(nothing was committed)", "caller",
             [step("yield-c1", err("progress"), exchange="c1", progress=True), step("yield-c1", ok("yield-c1"), exchange="c1")],
             {"c1": X["c1"]})
    scenario("progress-cleared-progressive-result", "router clears progress on a progressive RESULT", "caller",
             [step("yield-c2-1", err("progress"), exchange="c2", progress=False)], {"c2": X["c2"]})
    scenario("progress-flipped-call-chunk", "router clears progress on a progressive CALL chunk", "callee",
             [step("call-progressive-1", err("progress"), exchange="inv", progress=False),
              step("call-progressive-1", ok("call-progressive-1"), exchange="inv")], CALLEE_X)
    scenario("progress-on-event", "EVENT with progress true", "subscriber",
             [step("pub-json", err("progress"), progress=True)])
    scenario("key-id-mismatch", "enc_key names another kid", "subscriber",
             [step("pub-json", err("key-id"), envelope=env("pub-json", enc_key=GK["g_other"].kid.hex()))])
    scenario("key-id-uppercase", "enc_key in upper case is a mismatch", "subscriber",
             [step("pub-json", err("key-id"), envelope=env("pub-json", enc_key=GK["g_news"].kid.hex().upper()))])

    # step 3: sender and signature
    scenario("sender-reader-forges", "a reader (holds K_g) seals an event with its own key", "subscriber",
             [step("pub-mallory", err("sender"))])
    scenario("sender-other-prefix", "a publisher authorized on com.example.other. signs for com.example.news.", "subscriber",
             [step("pub-carol-news", err("sender"))])
    pm = P("pub-mallory")
    spliced = pm[:24] + ID["alice"].pk + pm[56:]
    scenario("signature-spliced-spk", "the reader's event with the publisher's spk spliced in", "subscriber",
             [raw_step("EVENT", news, env(data=spliced, enc_key=None), err("signature"))])
    scenario("signature-moved-topic", "EVENT moved to another topic of the same prefix", "subscriber",
             [step("pub-json", err("signature"), uri="com.example.news.weather")])
    scenario("signature-ct-bit", "one ciphertext bit flipped in a signed payload", "subscriber",
             [raw_step("EVENT", news, env(data=flip(pj, 130), enc_key=None), err("signature"))])
    scenario("signature-sig-bit", "one signature bit flipped", "subscriber",
             [raw_step("EVENT", news, env(data=flip(pj, len(pj) - 1), enc_key=None), err("signature"))])
    scenario("signature-header-bit", "ts bit flipped in a signed payload", "subscriber",
             [raw_step("EVENT", news, env(data=flip(pj, 79), enc_key=None), err("signature"))])
    scenario("signature-signed-reply", "signed YIELD with a flipped ciphertext bit", "caller-sign-replies",
             [raw_step("RESULT", None, env(data=flip(P("yield-c3-signed"), 125), enc_key=None), err("signature"), exchange="c3")],
             {"c3": X["c3"]})

    # step 4: freshness
    scenario("fresh-boundaries", "|now - ts| = maxSkew accepted (both sides), maxSkew + 1 refused", "subscriber",
             [step("pub-json", err("stale"), now=T0 + SKEW + 1), step("pub-json", err("stale"), now=T0 - SKEW - 1),
              step("pub-json", ok("pub-json"), now=T0 + SKEW), step("pub-msgpack", ok("pub-msgpack"), now=T0 - SKEW)])
    scenario("stale-event", "EVENT 400 s old", "subscriber", [step("pub-stale", err("stale"))])
    scenario("stale-retained", "the same EVENT marked retained: delivered once with stale=true, then replay",
             "subscriber", [step("pub-stale", ok("pub-stale", stale=True), retained=True),
                            step("pub-stale", err("replay"), retained=True)])
    scenario("stale-disabled", "maxSkew 0 disables the check", "subscriber-no-skew",
             [step("pub-stale", ok("pub-stale"), now=T0 + 10 ** 9)])
    scenario("stale-call", "CALL 301 s after its ts", "callee-session",
             [step("call-session", err("stale"), now=T0 + SKEW + 1, exchange="inv")], CALLEE_X)

    # step 5: replay and exchanges
    scenario("replay-event", "the same EVENT twice", "subscriber", [step("pub-json", ok("pub-json")), step("pub-json", err("replay"))])
    scenario("replay-event-other-carriage", "the same EVENT again in the spec dialect", "subscriber",
             [step("pub-json", ok("pub-json")), step("pub-json", err("replay"), envelope=env("pub-json", dialect="spec"))])
    scenario("replay-wrapped-call", "the same wrapped CALL twice", "callee",
             [step("call-wrapped", ok("call-wrapped"), exchange="inv"), step("call-wrapped", err("replay"), exchange="inv2")],
             {"inv": {"role": "callee"}, "inv2": {"role": "callee"}})
    scenario("replay-session-call", "the same session CALL twice", "callee-session",
             [step("call-session", ok("call-session"), exchange="inv"), step("call-session", err("replay"), exchange="inv2")],
             {"inv": {"role": "callee"}, "inv2": {"role": "callee"}})
    scenario("window", "window 1024: seq 2000, then 977 (inside) accepted, 976 (below) refused; 3 then 5 reordered",
             "subscriber",
             [step("pub-seq2000", ok("pub-seq2000")), step("pub-seq976", err("replay")), step("pub-seq977", ok("pub-seq977")),
              step("pub-seq977", err("replay"))])
    scenario("window-reorder", "seq 5 then 3 on a fresh stream: both accepted", "subscriber",
             [step("pub-seq5", ok("pub-seq5")), step("pub-seq3", ok("pub-seq3")), step("pub-seq5", err("replay"))])
    scenario("replay-after-restart", "a restarted receiver accepts a replay once (documented, §b.7)", "subscriber",
             [step("pub-json", ok("pub-json")), {"action": "restart"}, step("pub-json", ok("pub-json")),
              step("pub-json", err("replay"))])
    scenario("refusal-commits-nothing", "a tampered copy is refused, then the original is accepted", "subscriber",
             [raw_step("EVENT", news, env(data=flip(pj, 130), enc_key=None), err("signature")), step("pub-json", ok("pub-json"))])
    scenario("exchange-none", "a sealed RESULT for a call that was not sealed (no exchange)", "caller",
             [step("yield-c1", err("exchange"), exchange=None)])
    scenario("exchange-swapped", "the YIELD of call c1 presented for call c2", "caller",
             [step("yield-c1", err("exchange"), exchange="c2")], {"c2": X["c2"]})
    scenario("exchange-after-final", "a result after the final one", "caller",
             [step("yield-c2-1", ok("yield-c2-1"), exchange="c2"), step("yield-c2-3", ok("yield-c2-3"), exchange="c2"),
              step("yield-c2-2", err("exchange"), exchange="c2")], {"c2": X["c2"]})
    scenario("progressive-index-replayed", "a progressive index replayed", "caller",
             [step("yield-c2-1", ok("yield-c2-1"), exchange="c2"), step("yield-c2-2", ok("yield-c2-2"), exchange="c2"),
              step("yield-c2-1", err("replay"), exchange="c2"), step("yield-c2-3", ok("yield-c2-3"), exchange="c2")],
             {"c2": X["c2"]})
    scenario("error-after-final", "an ERROR after the final RESULT of the same exchange", "caller",
             [step("yield-c2-3", ok("yield-c2-3"), exchange="c2"), step("error-c4", err("exchange"), exchange="c2")],
             {"c2": X["c2"]})
    scenario("call-chunk-after-final", "a progressive CALL chunk after the final one", "callee",
             [step("call-progressive-1", ok("call-progressive-1"), exchange="inv"),
              step("call-progressive-3", ok("call-progressive-3"), exchange="inv"),
              step("call-progressive-2", err("exchange"), exchange="inv")], CALLEE_X)
    scenario("call-chunk-other-exchange", "a chunk of call c5 delivered into another invocation", "callee",
             [step("call-wrapped", ok("call-wrapped"), exchange="inv"), step("call-progressive-1", err("exchange"), exchange="inv")],
             CALLEE_X)

    # step 6: keys
    scenario("unknown-group-key", "EVENT under a kid the receiver does not hold", "subscriber-no-news-key",
             [step("pub-json", err("unknown_key"))])
    scenario("group-key-other-scope", "EVENT on com.example.other.x by its authorized publisher, but under g_news "
             "(scope com.example.news.)", "subscriber",
             [raw_step("EVENT", "com.example.other.x", env(data=c["other-scope"], enc_key=None), err("unknown_key"))])
    scenario("key-expired", "EVENT under g_old (not_after = T0 - 1 s, grace 0)", "subscriber", [step("pub-old-key", err("key-expired"))])
    scenario("key-expired-grace", "the same with a grace of 5 s: accepted", "subscriber-grace", [step("pub-old-key", ok("pub-old-key"))])
    scenario("unknown-session", "a session CALL at a callee that lost the session: unknown_key (caller re-wraps)", "callee",
             [step("call-session", err("unknown_key"), exchange="inv")], CALLEE_X)
    scenario("session-then-call", "wrapped CALL establishes the session; the later CALL uses it", "callee",
             [step("call-wrapped", ok("call-wrapped"), exchange="inv"), step("call-session", ok("call-session"), exchange="inv2")],
             {"inv": {"role": "callee"}, "inv2": {"role": "callee"}})
    scenario("wrong-recipient", "CALL wrapped to another scope key", "callee",
             [step("call-wrong-scope", err("wrong-recipient"), exchange="inv")], CALLEE_X)
    scenario("wrong-recipient-no-scope", "wrapped CALL on a procedure without a scope key at this callee", "callee",
             [raw_step("INVOCATION", "com.example.zzz.add", env(data=c["no-scope"], enc_key=None), err("wrong-recipient"),
                       exchange="inv")], CALLEE_X)
    scenario("key-commitment", "the wrap carries K' with KID(K') != kid", "callee",
             [raw_step("INVOCATION", "com.example.rpc.add", env(data=c["key-commitment"], enc_key=None), err("key-commitment"),
                       exchange="inv")], CALLEE_X)
    scenario("session-owner-mismatch", "later CALL on dave's session claiming spk = mallory", "callee-session",
             [step("call-mallory-spk", err("sender"), exchange="inv")], CALLEE_X)
    scenario("session-owner-revoked", "dave removed from the trust store: his session calls are refused", "callee-session-revoked",
             [step("call-session", err("sender"), exchange="inv")], CALLEE_X)
    scenario("session-rebind", "carol wraps dave's session key as her own: refused, dave's session unharmed", "callee-session",
             [step("call-carol-rewrap", err("sender"), exchange="inv"), step("call-session", ok("call-session"), exchange="inv2")],
             {"inv": {"role": "callee"}, "inv2": {"role": "callee"}})
    scenario("reply-wrong-key", "YIELD with xid c1 sealed under c2's reply key", "caller",
             [step("yield-c1-under-c2-key", err("unknown_key"), exchange="c1")], {"c1": X["c1"]})

    # step 7: decryption
    cs = P("call-session")
    scenario("decrypt-tampered", "one ciphertext bit of an unsigned CALL", "callee-session",
             [raw_step("INVOCATION", "com.example.rpc.add", env(data=flip(cs, 130), enc_key=None), err("decrypt"), exchange="inv"),
              step("call-session", ok("call-session"), exchange="inv")], CALLEE_X)
    scenario("decrypt-header-bit", "ts bit flipped in an unsigned CALL (the header is AAD)", "callee-session",
             [raw_step("INVOCATION", "com.example.rpc.add", env(data=flip(cs, 79), enc_key=None), err("decrypt"), exchange="inv")],
             CALLEE_X)
    scenario("decrypt-truncated-unsigned", "unsigned CALL with its last byte dropped", "callee-session",
             [raw_step("INVOCATION", "com.example.rpc.add", env(data=cs[:-1], enc_key=None), err("decrypt"), exchange="inv")],
             CALLEE_X)
    scenario("decrypt-moved-procedure", "session CALL moved to another procedure of the same scope", "callee-session",
             [step("call-session", err("decrypt"), uri="com.example.rpc.sub", exchange="inv")], CALLEE_X)
    scenario("decrypt-moved-error-uri", "unsigned ERROR moved to another error URI", "caller",
             [step("error-c4", err("decrypt"), uri="com.example.error.other", exchange="c4")], {"c4": X["c4"]})
    scenario("padding-invalid", "PADDED, 64 bytes without the 0x80 marker", "subscriber",
             [raw_step("EVENT", news, env(data=c["bad-padding"], enc_key=None), err("padding"))])
    scenario("padding-length", "PADDED, 63 bytes (not a multiple of the bucket)", "subscriber",
             [raw_step("EVENT", news, env(data=c["pad-length"], enc_key=None), err("padding"))])
    for name in ("garbage", "args-map", "uri-without-flag", "extra-key"):
        scenario(f"plaintext-{name}", f"plaintext: {name}", "subscriber",
                 [raw_step("EVENT", news, env(data=c[name], enc_key=None), err("plaintext"))])

    # step 8: inner URI
    scenario("uri-forged-inner", "inner URI that does not scramble to the wire URI", "subscriber",
             [step("pub-scrambled-forged-inner", err("uri"))])
    scenario("uri-missing-inner", "scrambled namespace without INNER_URI", "subscriber",
             [step("pub-scrambled-no-inner", err("uri"))])

    # RPC end to end at both sides
    scenario("rpc-scrambled", "scrambled CALL at the callee", "callee",
             [step("call-scrambled", ok("call-scrambled"), exchange="inv")], CALLEE_X)
    scenario("rpc-key-get", "key.get: the key service opens the reader's signed CALL", "callee",
             [step("call-key-get", ok("call-key-get"), exchange="inv")], CALLEE_X)


def build_scenarios():
    build_open_scenarios()
    build_behaviour_scenarios()


# ---------------------------------------------------------------------------------- primitives, key material


def build_primitives():
    p = {}
    p["kid"] = [{"ref": n, "key": g.key.hex(), "kid": g.kid.hex()} for n, g in GK.items()]
    p["kid"] += [{"ref": n, "key": k.hex(), "kid": kid(k).hex()} for n, k in KS.items()]
    p["kid"].append({"ref": "all-zero key", "key": bytes(32).hex(), "kid": kid(bytes(32)).hex()})
    p["pkid"] = [{"ref": "scope " + n, "pk": x25519_public(k).hex(), "pkid": pkid(x25519_public(k)).hex()} for n, k in SCOPE.items()]
    p["pkid"] += [{"ref": "reader " + n, "pk": x25519_public(k).hex(), "pkid": pkid(x25519_public(k)).hex()} for n, k in READERS.items()]
    xs = [("c1", "dave_rpc"), ("c2", "dave_rpc"), ("c3", "dave_rpc"), ("c4", "dave_rpc"), ("c5", "dave_rpc2"),
          ("c9", "dave_s"), ("k1", "dave_e2e")]
    p["reply_key"] = []
    for x, s in xs:
        rk = reply_key(KS[s], XID[x])
        p["reply_key"].append({"session_ref": s, "session_key": KS[s].hex(), "xid": XID[x].hex(), "reply_key": rk.hex(),
                               "reply_kid": kid(rk).hex()})
    p["ed25519_to_x25519"] = [{"ref": n, "seed": i.seed.hex(), "ed25519_pk": i.pk.hex(), "x25519_sk": i.x25519_sk.hex(),
                               "x25519_pk": i.x25519_pk.hex()} for n, i in ID.items()]
    p["sealed_box"] = [
        {"ref": "wrap of call-wrapped: K_s to the rpc scope key", "message": KS["dave_rpc"].hex(),
         "recipient_pk": x25519_public(SCOPE["rpc"]).hex(), "recipient_sk": SCOPE["rpc"].hex(),
         "ephemeral_sk": det("eph:call-wrapped", 32).hex(),
         "sealed": seal_box(KS["dave_rpc"], x25519_public(SCOPE["rpc"]), det("eph:call-wrapped", 32)).hex()},
        {"ref": "g_news2 sealed to erin's converted (Ed25519 -> X25519) key", "message": GK["g_news2"].key.hex(),
         "recipient_pk": ID["erin"].x25519_pk.hex(), "recipient_sk": ID["erin"].x25519_sk.hex(),
         "ephemeral_sk": det("eph:converted", 32).hex(),
         "sealed": seal_box(GK["g_news2"].key, ID["erin"].x25519_pk, det("eph:converted", 32)).hex()},
    ]
    p["pad"] = [{"length": n, "bucket": b, "bucket_size": (64, 256, 1024)[b], "padded": pad(bytes(n), b).hex()}
                for n, b in ((0, 0), (1, 0), (63, 0), (64, 0), (65, 0), (255, 1), (256, 1), (1000, 2))]
    sc = []
    for name, uris in (("s", [("com.example.s.orders.created", False), ("com.example.s.orders", False),
                              ("com.example.s.orders.", True), ("com.example.s.billing.charge", False),
                              ("com.example.s.errors.declined", False), ("com.example.s.a", False),
                              ("com.example.s.", True), ("com.example.s..created", True)]),
                       ("p", [("com.example.p.orders.created", False), ("com.example.p.orders.", True),
                              ("com.example.p..created", True), ("com.example.p.created.orders", False)])):
        n = NS[name]
        out = []
        for u, pattern in uris:
            try:
                w = n.scramble(u, pattern=pattern)
            except Exception:
                w = None
            out.append({"clear": u, "pattern": pattern, "wire": w})
        sc.append({"prefix": n.prefix, "mode": n.mode, "master": MASTER.hex(), "namespace_key": namespace_key(MASTER, n.prefix).hex(),
                   "uris": out})
    p["scramble"] = sc
    return p


def build_key_material():
    org = ID["org"]
    grants = [{"prefix": "com.example.rpc.", "roles": ["call"]}, {"prefix": "com.example.news.", "roles": ["read"]}]
    nf = T0 + 30 * 86_400_000
    kp = make_keypkg(ID["dave"].seed, "dave", x25519_public(det("rk:dave", 32)), nf, grants, org_seed=org.seed)
    tampered = dict(kp, authid="mallory")
    self_only = make_keypkg(ID["erin"].seed, "erin", ID["erin"].x25519_pk, nf, [])
    k = {"key_packages": [
        {"id": "keypkg-dave", "description": "self-signed key package with a role certificate from org",
         "package": to_json(kp), "tbs": keypkg_tbs("dave", ID["dave"].pk, kp["enc_pk"], nf, grants).hex(),
         "checks": [{"now_ms": NOW, "org_pk": org.pk.hex(), "error": None},
                    {"now_ms": NOW, "org_pk": None, "error": None},
                    {"now_ms": nf + 1, "org_pk": None, "error": "keypkg"},
                    {"now_ms": NOW, "org_pk": ID["alice"].pk.hex(), "error": "keypkg"}]},
        {"id": "keypkg-tampered", "description": "authid changed after signing", "package": to_json(tampered),
         "checks": [{"now_ms": NOW, "org_pk": None, "error": "keypkg"}]},
        {"id": "keypkg-self-only", "description": "no role certificate: fine in static mode, refused in authority mode",
         "package": to_json(self_only), "tbs": keypkg_tbs("erin", ID["erin"].pk, ID["erin"].x25519_pk, nf, []).hex(),
         "checks": [{"now_ms": NOW, "org_pk": None, "error": None}, {"now_ms": NOW, "org_pk": org.pk.hex(), "error": "keypkg"}]},
    ]}
    g2 = GK["g_news2"]
    rec = encode_key_record(g2)
    k["key_records"] = [
        {"id": "record-news2", "record": rec.hex(), "key": g2.key.hex(), "kid": g2.kid.hex(), "scope": g2.scope,
         "not_after": g2.not_after, "writers": None, "error": None},
        {"id": "record-writers", "record": encode_key_record(GroupKey(GK["g_other"].key, "com.example.other.", None,
                                                                      [ID["carol"].pk])).hex(),
         "key": GK["g_other"].key.hex(), "kid": GK["g_other"].kid.hex(), "scope": "com.example.other.", "not_after": None,
         "writers": [ID["carol"].pk.hex()], "error": None},
        {"id": "record-kid-tampered", "record": flip(rec, 1).hex(), "error": "key-commitment"},
        {"id": "record-truncated", "record": rec[:-1].hex(), "error": "keypkg"},
    ]
    entries = from_json(BY_ID["pub-key-bundle"]["inputs"]["args"])
    bad = [[entries[0][0], flip(entries[0][1], 60)], entries[1]]
    k["bundles"] = [
        {"id": "bundle-news2", "description": "the plaintext args of pub-key-bundle", "entries": to_json(entries),
         "opens": [{"reader": "bob", "x25519_sk": READERS["bob"].hex(), "key": g2.key.hex(), "error": None},
                   {"reader": "frank", "x25519_sk": READERS["frank"].hex(), "key": g2.key.hex(), "error": None},
                   {"reader": "gina", "x25519_sk": READERS["gina"].hex(), "error": "wrong-recipient"}]},
        {"id": "bundle-tampered", "description": "bob's box with one bit flipped", "entries": to_json(bad),
         "opens": [{"reader": "bob", "x25519_sk": READERS["bob"].hex(), "error": "wrong-recipient"},
                   {"reader": "frank", "x25519_sk": READERS["frank"].hex(), "key": g2.key.hex(), "error": None}]},
    ]
    return k


# ---------------------------------------------------------------------------------- document


CONVENTIONS = {
    "bytes": "lowercase hex strings; binary values inside args/kwargs/payload are {\"$bytes_hex\": \"...\"}",
    "integers": "JSON numbers; every integer here is below 2^53",
    "time": "ms since the Unix epoch; T0 = 2026-01-01T00:00:00Z",
    "inputs": "every random value (seeds, keys, sids, xids, nonces, ephemeral keys) is given; they were derived "
              "as BLAKE2b(key='wampbox/e2e/v2 vectors', data=label) but an implementer only needs the values",
    "messages": "seal inputs.* and compare every outputs.* byte for byte; then the open-<id> scenario opens it",
    "scenarios": "build a fresh receiver from receivers[receiver], create the exchanges, run the steps in order "
                 "(an {action: restart} step rebuilds the receiver from its configuration, losing all state); "
                 "each step sets the receiver clock to now_ms and opens envelope as the WAMP message wamp on uri; "
                 "expect.ok false: the open must refuse with exactly expect.error and change no state",
}


def document():
    import cbor2
    import msgpack
    import nacl
    return {
        "format": "wampbox-e2ev2-vectors",
        "schema_version": 1,
        "scheme": "x_e2ev2",
        "suite": 1,
        "generator": "test/interop/python/e2ev2/gen_vectors.py (independent Python implementation, PyNaCl)",
        "generated_with": {"python": "%d.%d" % sys.version_info[:2], "pynacl": nacl.__version__,
                           "cbor2": getattr(cbor2, "__version__", "?"), "msgpack": ".".join(map(str, msgpack.version))},
        "conventions": CONVENTIONS,
        "constants": {"T0": T0, "NOW": NOW, "max_skew_ms": SKEW, "window_size": 1024},
        "identities": {n: {"role": ROLE_OF[n], "seed": i.seed.hex(), "ed25519_pk": i.pk.hex(),
                           "x25519_sk": i.x25519_sk.hex(), "x25519_pk": i.x25519_pk.hex()} for n, i in ID.items()},
        "readers": {n: {"x25519_sk": k.hex(), "x25519_pk": x25519_public(k).hex(), "pkid": pkid(x25519_public(k)).hex()}
                    for n, k in READERS.items()},
        "group_keys": {n: gk_json(n) for n in GK},
        "scope_keys": {n: scope_json(n) for n in SCOPE},
        "session_keys": {n: {"key": k.hex(), "kid": kid(k).hex()} for n, k in KS.items()},
        "exchanges": {n: dict(x, reply_key=reply_key(bytes.fromhex(x["session_key"]), bytes.fromhex(x["xid"])).hex())
                      for n, x in X.items()},
        "namespaces": {n: dict(ns_json(n), master=MASTER.hex()) for n in NS},
        "primitives": build_primitives(),
        "messages": MESSAGES,
        "receivers": RECEIVERS,
        "scenarios": SCENARIOS,
        "key_material": build_key_material(),
    }


def main(argv):
    out = argv[1] if len(argv) > 1 else DEFAULT_OUT
    build_messages()
    build_scenarios()
    doc = document()
    doc = json.loads(json.dumps(doc))  # exactly what a reader of the file sees
    failures = check_primitives(doc["primitives"])
    for m in doc["messages"]:
        failures += check_message(m)
    for s in doc["scenarios"]:
        failures += run_scenario(s, doc["receivers"])
    failures += check_key_material(doc["key_material"])
    if failures:
        for f in failures:
            print("FAIL", f, file=sys.stderr)
        print(f"gen_vectors: {len(failures)} case(s) disagree with this implementation; nothing written", file=sys.stderr)
        return 1
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(text)
    steps = sum(1 for s in doc["scenarios"] for st in s["steps"] if "expect" in st)
    refusals = sum(1 for s in doc["scenarios"] for st in s["steps"] if "expect" in st and not st["expect"]["ok"])
    print(f"gen_vectors: wrote {out}: {len(doc['messages'])} messages, {len(doc['scenarios'])} scenarios "
          f"({steps} steps, {refusals} refusals)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
