"""Check a vectors file of the schema in test/fixtures/e2ev2/README.md against this implementation.

Used by verify_vectors.py (any file, e.g. one the TypeScript side generated) and by
gen_vectors.py (which checks every case it writes before writing it).
"""

import json

from e2ev2 import Receiver, Route, seal_message
from e2ev2_errors import E2eError
from e2ev2_inner import SER_BY_NAME
from e2ev2_keypkg import decode_key_record, encode_key_record, keypkg_tbs, open_bundle, verify_keypkg
from e2ev2_receiver import Envelope
from e2ev2_scramble import Namespace, namespace_key
from e2ev2_state import CalleeExchange, CallerExchange, GroupKey, ScopeKey, TrustStore
from e2ev2_wire import (
    TYPE_BY_NAME, ed25519_pk_to_x25519, ed25519_seed_to_x25519_sk, kid, open_box, pad, pkid,
    reply_key, seal_box, x25519_public,
)

H = bytes.fromhex


def to_json(v):
    """bytes -> {"$bytes_hex": ...} at any depth."""
    if isinstance(v, (bytes, bytearray)):
        return {"$bytes_hex": bytes(v).hex()}
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    if isinstance(v, dict):
        return {k: to_json(x) for k, x in v.items()}
    return v


def from_json(v):
    if isinstance(v, dict):
        if len(v) == 1 and "$bytes_hex" in v:
            return H(v["$bytes_hex"])
        return {k: from_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [from_json(x) for x in v]
    return v


def hx(b):
    return None if b is None else bytes(b).hex()


# ---------------------------------------------------------------------------------- receivers


def build_receiver(cfg, clock):
    trust = TrustStore()
    for g in cfg.get("trust", []):
        trust.grant(H(g["spk"]), g["prefix"], g["roles"])
    r = Receiver(
        clock=clock, trust=trust,
        group_keys=[GroupKey(H(g["key"]), g["scope"], g.get("not_after"),
                             None if g.get("writers") is None else [H(w) for w in g["writers"]])
                    for g in cfg.get("group_keys", [])],
        scope_keys=[ScopeKey(s["prefix"], H(s["x25519_sk"])) for s in cfg.get("scope_keys", [])],
        namespaces=[Namespace(n["prefix"], H(n["key"]), n["mode"]) for n in cfg.get("namespaces", [])],
        routes=[Route(x["prefix"], x["scheme"], tuple(x["carriages"])) for x in cfg.get("routes", [{"prefix": "", "scheme": "x_e2ev2", "carriages": ["transparent", "argument"]}])],
        max_skew_ms=cfg.get("max_skew_ms", 300_000), window_size=cfg.get("window_size", 1024),
        windows_per_sender=cfg.get("windows_per_sender", 64), windows_total=cfg.get("windows_total", 4096),
        sign_replies=cfg.get("sign_replies", False), sign_every_call=cfg.get("sign_every_call", False),
        key_grace_ms=cfg.get("key_grace_ms", 0),
    )
    for s in cfg.get("sessions", []):
        r.add_session(H(s["key"]), H(s["owner"]), s["scope"])
    return r


def envelope_of(e):
    if e["carriage"] == "plain":
        return Envelope.plain(from_json(e.get("args")), from_json(e.get("kwargs")))
    payload = from_json(e.get("payload"))
    if e.get("dialect", "autobahn") == "spec":
        return Envelope.transparent(payload, e.get("ppt_serializer"), e.get("ppt_keyid"), e.get("ppt_scheme"), "spec", e.get("ppt_cipher"))
    return Envelope.transparent(payload, e.get("enc_serializer"), e.get("enc_key"), e.get("enc_algo"))


def make_exchange(x):
    if x["role"] == "caller":
        return CallerExchange(H(x["xid"]), H(x["session_key"]), x["procedure"], x.get("clear_procedure"))
    return CalleeExchange()


def run_scenario(scn, receivers):
    """Run one scenario; returns a list of failure strings (empty: passed)."""
    cfg = receivers[scn["receiver"]]
    now = [0]
    recv = build_receiver(cfg, lambda: now[0])
    exchanges = {name: make_exchange(x) for name, x in scn.get("exchanges", {}).items()}
    failures = []
    for i, st in enumerate(scn["steps"]):
        where = f"{scn['id']} step {i}"
        if st.get("action") == "restart":
            recv = build_receiver(cfg, lambda: now[0])
            continue
        now[0] = st["now_ms"]
        ex = exchanges.get(st.get("exchange")) if st.get("exchange") else None
        exp = st["expect"]
        try:
            got = recv.open(st["wamp"], st.get("uri"), envelope_of(st["envelope"]), exchange=ex,
                            progress=st.get("progress", False), retained=st.get("retained", False))
        except E2eError as e:
            if exp["ok"]:
                failures.append(f"{where}: expected delivery, refused with {e.code!r}")
            elif e.code != exp["error"]:
                failures.append(f"{where}: expected {exp['error']!r}, got {e.code!r}")
            continue
        if not exp["ok"]:
            failures.append(f"{where}: expected {exp['error']!r}, delivered")
            continue
        checks = {
            "args": (to_json(got.args), exp.get("args")),
            "kwargs": (to_json(got.kwargs), exp.get("kwargs")),
        }
        if "uri" in exp:
            checks["uri"] = (got.uri, exp["uri"])
        for k in ("stale", "signed", "more", "carriage", "passthrough"):
            if k in exp:
                checks[k] = (getattr(got, k), exp[k])
        if "spk" in exp:
            checks["spk"] = (hx(got.spk), exp["spk"])
        if "author" in exp:
            checks["author"] = (hx(got.author), exp["author"])
        for k, (a, b) in checks.items():
            if a != b:
                failures.append(f"{where}: {k} differs")
    return failures


# ---------------------------------------------------------------------------------- messages


def reseal(m):
    i = m["inputs"]
    w = i.get("wrap")
    return seal_message(
        type=TYPE_BY_NAME[i["type"]], uri=i["uri"], args=from_json(i["args"]), kwargs=from_json(i["kwargs"]),
        ser=SER_BY_NAME[i["ser"]], key=H(i["key"]), seed=H(i["signer_seed"]), sid=H(i["sid"]), seq=i["seq"],
        ts=i["ts"], xid=H(i["xid"]), nonce=H(i["nonce"]), clear_uri=i.get("clear_uri"), more=i["more"],
        bucket=i["bucket"], signed=i["signed"],
        wrap_session_key=H(w["session_key"]) if w else None, scope_pk=H(w["scope_pk"]) if w else None,
        ephemeral_sk=H(w["ephemeral_sk"]) if w else None)


def check_message(m):
    failures = []
    out = reseal(m)
    o = m["outputs"]
    pairs = {
        "kid": out["kid"], "header": out["header"], "wrap": out["wrap"], "aad": out["aad"],
        "plaintext": out["plaintext"], "padded_plaintext": out["padded"], "ciphertext": out["ciphertext"],
        "sig_input": out.get("sig_input"), "signature": out.get("signature"), "payload": out["payload"],
    }
    for k, v in pairs.items():
        if k in o and o[k] != hx(v):
            failures.append(f"{m['id']}: {k} differs on re-seal")
    if "length" in o and o["length"] != len(out["payload"]):
        failures.append(f"{m['id']}: length differs")
    i = m["inputs"]
    if "session_key" in i and "reply_key" in o:
        if hx(reply_key(H(i["session_key"]), H(i["xid"]))) != o["reply_key"]:
            failures.append(f"{m['id']}: reply_key differs")
    return failures


# ---------------------------------------------------------------------------------- primitives


def check_primitives(p):
    f = []

    def eq(what, a, b):
        if a != b:
            f.append(f"primitives: {what} differs")

    for c in p.get("kid", []):
        eq(f"kid {c['key'][:8]}", hx(kid(H(c["key"]))), c["kid"])
    for c in p.get("pkid", []):
        eq(f"pkid {c['pk'][:8]}", hx(pkid(H(c["pk"]))), c["pkid"])
    for c in p.get("reply_key", []):
        rk = reply_key(H(c["session_key"]), H(c["xid"]))
        eq("reply_key", hx(rk), c["reply_key"])
        eq("reply_kid", hx(kid(rk)), c["reply_kid"])
    for c in p.get("ed25519_to_x25519", []):
        eq("x25519_pk", hx(ed25519_pk_to_x25519(H(c["ed25519_pk"]))), c["x25519_pk"])
        eq("x25519_sk", hx(ed25519_seed_to_x25519_sk(H(c["seed"]))), c["x25519_sk"])
        eq("x25519_pk of sk", hx(x25519_public(H(c["x25519_sk"]))), c["x25519_pk"])
    for c in p.get("sealed_box", []):
        sealed = seal_box(H(c["message"]), H(c["recipient_pk"]), H(c["ephemeral_sk"]))
        eq("sealed_box", hx(sealed), c["sealed"])
        if "recipient_sk" in c:
            eq("sealed_box open", hx(open_box(H(c["sealed"]), H(c["recipient_sk"]))), c["message"])
    for c in p.get("pad", []):
        eq(f"pad {c['length']}/{c['bucket']}", hx(pad(bytes(c["length"]) if "data" not in c else H(c["data"]), c["bucket"])), c["padded"])
    for c in p.get("scramble", []):
        key = H(c["key"]) if "key" in c else namespace_key(H(c["master"]), c["prefix"])
        if "namespace_key" in c:
            eq("namespace_key", hx(key), c["namespace_key"])
        ns = Namespace(c["prefix"], key, c["mode"])
        for u in c["uris"]:
            try:
                got = ns.scramble(u["clear"], pattern=u.get("pattern", False))
            except E2eError:
                got = None
            eq(f"scramble {u['clear']}", got, u["wire"])
    return f


def check_key_material(k):
    f = []
    for c in k.get("key_packages", []):
        pkg = from_json(c["package"])
        tbs = keypkg_tbs(pkg["authid"], pkg["sign_pk"], pkg["enc_pk"], pkg["not_after"], pkg.get("grants") or [])
        if "tbs" in c and hx(tbs) != c["tbs"]:
            f.append(f"{c['id']}: tbs differs")
        for chk in c["checks"]:
            try:
                verify_keypkg(pkg, chk["now_ms"], H(chk["org_pk"]) if chk.get("org_pk") else None)
                got = None
            except E2eError as e:
                got = e.code
            if got != chk.get("error"):
                f.append(f"{c['id']}: expected {chk.get('error')!r}, got {got!r}")
    for c in k.get("key_records", []):
        try:
            g = decode_key_record(H(c["record"]))
            got = None
            if "key" in c and (hx(g.key) != c["key"] or g.scope != c["scope"] or g.not_after != c["not_after"]):
                f.append(f"{c['id']}: record fields differ")
            if "key" in c:
                again = encode_key_record(GroupKey(H(c["key"]), c["scope"], c["not_after"],
                                                   [H(w) for w in c["writers"]] if c.get("writers") else None))
                if hx(again) != c["record"]:
                    f.append(f"{c['id']}: record bytes differ")
        except E2eError as e:
            got = e.code
        if got != c.get("error"):
            f.append(f"{c['id']}: expected {c.get('error')!r}, got {got!r}")
    for c in k.get("bundles", []):
        entries = from_json(c["entries"])
        for o in c["opens"]:
            try:
                g = open_bundle(entries, H(o["x25519_sk"]), x25519_public(H(o["x25519_sk"])))
                got = None
                if hx(g.key) != o.get("key"):
                    f.append(f"{c['id']}: opened key differs")
            except E2eError as e:
                got = e.code
            if got != o.get("error"):
                f.append(f"{c['id']}: expected {o.get('error')!r}, got {got!r}")
    return f


def verify_document(doc):
    """-> (counts dict, failures list)."""
    failures = []
    counts = {"primitives": 0, "messages": 0, "scenarios": 0, "steps": 0, "refusals": 0, "key_material": 0}
    def guarded(what, fn, *args):
        try:
            return fn(*args)
        except Exception as e:  # a case this runner cannot read is a failure, not the end of the run
            return [f"{what}: cannot run: {type(e).__name__}: {e}"]

    failures += guarded("primitives", check_primitives, doc.get("primitives", {}))
    counts["primitives"] = sum(len(v) for v in doc.get("primitives", {}).values() if isinstance(v, list))
    for m in doc.get("messages", []):
        failures += guarded(m.get("id", "message"), check_message, m)
        counts["messages"] += 1
    for s in doc.get("scenarios", []):
        failures += guarded(s.get("id", "scenario"), run_scenario, s, doc.get("receivers", {}))
        counts["scenarios"] += 1
        for st in s["steps"]:
            if "expect" in st:
                counts["steps"] += 1
                counts["refusals"] += 0 if st["expect"]["ok"] else 1
    km = doc.get("key_material", {})
    failures += guarded("key_material", check_key_material, km)
    if doc.get("format") != "wampbox-e2ev2-vectors" or not counts["messages"] or not counts["scenarios"]:
        failures.append("not an x_e2ev2 vectors file with messages and scenarios")
    counts["key_material"] = sum(len(v) for v in km.values() if isinstance(v, list))
    return counts, failures


def verify_path(path):
    with open(path, "rb") as fh:
        doc = json.load(fh)
    return verify_document(doc)
