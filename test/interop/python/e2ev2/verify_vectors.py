#!/usr/bin/env python3
"""Check an x_e2ev2 vectors file (schema: test/fixtures/e2ev2/README.md) against this implementation.

    python verify_vectors.py PATH [-v]

Re-seals every message byte for byte, opens it, runs every scenario (each refusal must raise
exactly the named error), recomputes the primitives and checks the key material. Prints failures
and one summary line; exit code 0 when everything passed, 1 otherwise.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2ev2_vectors import verify_path  # noqa: E402


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("-")]
    if len(args) != 1:
        print("usage: verify_vectors.py PATH [-v]", file=sys.stderr)
        return 2
    try:
        counts, failures = verify_path(args[0])
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"verify_vectors: cannot check {args[0]}: {type(e).__name__}: {e}")
        return 1
    for f in failures:
        print("FAIL", f)
    status = "ok" if not failures else "FAILED"
    print(f"verify_vectors: {status}: {counts['messages']} messages re-sealed, {counts['scenarios']} scenarios "
          f"({counts['steps']} steps, {counts['refusals']} refusals), {counts['primitives']} primitive cases, "
          f"{counts['key_material']} key-material cases; {len(failures)} failure(s)")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
