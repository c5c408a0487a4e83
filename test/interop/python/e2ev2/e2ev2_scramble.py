"""URI scrambling (§c.2): keyed 16-character tags per component under a clear routing prefix."""

import base64
import hashlib

from e2ev2_errors import SealError

URI_KEY_CTX = b"wampbox/e2e/v2 uri-key"
CHAINED_CTX = b"wampbox/e2e/v2 uri c\x00"
POSITIONAL_CTX = b"wampbox/e2e/v2 uri p\x00"
CHAINED, POSITIONAL = "chained", "positional"


def namespace_key(master, prefix):
    """K_ns = BLAKE2b-256(key=master, "wampbox/e2e/v2 uri-key" || utf8(prefix)), prefix with its dot."""
    return hashlib.blake2b(URI_KEY_CTX + prefix.encode("utf-8"), key=master, digest_size=32).digest()


def b32(data):
    """Lowercase RFC 4648 base32 without padding (10 bytes -> 16 characters)."""
    return base64.b32encode(data).decode("ascii").lower().rstrip("=")


def chained_tags(key, components):
    state = bytes(32)
    tags = []
    for c in components:
        state = hashlib.blake2b(CHAINED_CTX + state + c.encode("utf-8"), key=key, digest_size=32).digest()
        tags.append(b32(state[:10]))
    return tags


def positional_tag(key, index, component):
    """index is 1-based (the first component after the routing prefix is 1)."""
    if not 1 <= index <= 255:
        raise SealError("more than 255 components")
    return b32(hashlib.blake2b(POSITIONAL_CTX + bytes([index]) + component.encode("utf-8"), key=key, digest_size=10).digest())


class Namespace:
    """A clear routing prefix (ending with '.') and its key; mode chained (default) or positional."""

    def __init__(self, prefix, key, mode=CHAINED):
        if not prefix.endswith("."):
            raise SealError("a scrambling prefix ends with '.'")
        if mode not in (CHAINED, POSITIONAL):
            raise SealError(f"unknown scrambling mode {mode!r}")
        self.prefix, self.key, self.mode = prefix, key, mode

    @classmethod
    def from_master(cls, master, prefix, mode=CHAINED):
        return cls(prefix, namespace_key(master, prefix), mode)

    def covers(self, uri):
        return uri.startswith(self.prefix)

    def scramble(self, uri, pattern=False):
        """Clear URI (or, with pattern=True, a subscription/registration pattern) -> wire URI.

        Empty components stay empty: a trailing one is a prefix pattern ('a.b.'), inner ones are
        positional wildcards, which the chained mode refuses.
        """
        if not self.covers(uri):
            raise SealError("URI outside the namespace")
        rest = uri[len(self.prefix):]
        if rest == "":
            if not pattern:
                raise SealError("no component after the namespace prefix")
            return self.prefix  # the whole namespace: a prefix pattern on the clear routing prefix
        comps = rest.split(".")
        empties = [i for i, c in enumerate(comps) if c == ""]
        if empties:
            if not pattern:
                raise SealError("empty URI component")
            trailing_only = empties == [len(comps) - 1] and len(comps) > 1
            if self.mode == CHAINED and not trailing_only:
                raise SealError("chained scrambling supports trailing-dot prefixes only, no wildcards")
        if self.mode == CHAINED:
            body = [c for c in comps if c != ""]
            tags = chained_tags(self.key, body)
            out = ".".join(tags) + ("." if comps[-1] == "" else "")
        else:
            out = ".".join("" if c == "" else positional_tag(self.key, i + 1, c) for i, c in enumerate(comps))
        return self.prefix + out


def find_namespace(namespaces, uri):
    """The namespace with the longest prefix covering uri, or None. wamp.* is never scrambled."""
    if uri.startswith("wamp."):
        return None
    best = None
    for ns in namespaces:
        if ns.covers(uri) and (best is None or len(ns.prefix) > len(best.prefix)):
            best = ns
    return best
