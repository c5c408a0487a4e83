"""The known-answer vectors: deterministic generation, the committed file, and the verifier."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.normpath(os.path.join(HERE, "..", "..", "..", "fixtures", "e2ev2", "vectors.json"))


def run(script, *args):
    return subprocess.run([sys.executable, os.path.join(HERE, script), *args], capture_output=True, text=True)


class Vectors(unittest.TestCase):
    def test_generator_is_deterministic_and_matches_the_fixture(self):
        with tempfile.TemporaryDirectory() as d:
            a, b = os.path.join(d, "a.json"), os.path.join(d, "b.json")
            for out in (a, b):
                r = run("gen_vectors.py", out)
                self.assertEqual(r.returncode, 0, r.stderr)
            with open(a, "rb") as fa, open(b, "rb") as fb, open(FIXTURE, "rb") as ff:
                first, second, committed = fa.read(), fb.read(), ff.read()
        self.assertEqual(first, second, "two runs differ")
        self.assertEqual(first, committed, "the committed vectors are not what the generator writes")

    def test_verifier_accepts_the_fixture(self):
        r = run("verify_vectors.py", FIXTURE)
        self.assertEqual(r.returncode, 0, r.stdout)
        self.assertIn("verify_vectors: ok:", r.stdout)

    def test_verifier_catches_wrong_bytes_and_wrong_errors(self):
        with open(FIXTURE, encoding="utf-8") as fh:
            doc = json.load(fh)
        doc["messages"][0]["outputs"]["ciphertext"] = "00" + doc["messages"][0]["outputs"]["ciphertext"][2:]
        refusal = next(s for s in doc["scenarios"] if s["id"] == "replay-event")
        refusal["steps"][1]["expect"] = {"ok": False, "error": "decrypt"}
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "bad.json")
            with open(bad, "w", encoding="utf-8") as fh:
                json.dump(doc, fh)
            r = run("verify_vectors.py", bad)
        self.assertEqual(r.returncode, 1)
        self.assertIn("pub-json: ciphertext differs on re-seal", r.stdout)
        self.assertIn("replay-event step 1: expected 'decrypt', got 'replay'", r.stdout)
        self.assertIn("2 failure(s)", r.stdout.splitlines()[-1])

    def test_fixture_covers_every_error_identifier_it_can(self):
        with open(FIXTURE, encoding="utf-8") as fh:
            doc = json.load(fh)
        codes = {st["expect"]["error"] for s in doc["scenarios"] for st in s["steps"] if "expect" in st and not st["expect"]["ok"]}
        codes |= {c.get("error") for c in doc["key_material"]["key_records"]} - {None}
        expected = {"downgrade", "envelope", "malformed", "magic", "suite", "reserved", "unsigned", "flags", "header",
                    "type", "serializer", "progress", "key-id", "sender", "signature", "stale", "replay", "exchange",
                    "unknown_key", "key-expired", "wrong-recipient", "key-commitment", "decrypt", "padding",
                    "plaintext", "uri", "keypkg"}
        self.assertEqual(expected - codes, set())


if __name__ == "__main__":
    unittest.main()
