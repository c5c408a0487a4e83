"""The sealed plaintext of x_e2ev2 (§b.4 "Inner plaintext encoding").

A map ``{"args": [...], "kwargs": {...}}`` plus ``"uri"`` (only with INNER_URI), keys in that
order, encoded with the header's ``ser``:

* 1 json: compact, UTF-8, non-ASCII unescaped, binary as the string "\\u0000" + base64
  (standard alphabet, with padding), NaN/Infinity refused;
* 2 msgpack: smallest integer forms, str8/16/32 for text, bin for binary;
* 3 cbor: definite lengths, smallest integer forms, untagged byte strings.

The encoders below produce the fixed form the vectors are byte-exact with; the decoders accept
any valid encoding of the data model (null, bool, int, float, text, bytes, list, text-keyed map).
"""

import base64
import binascii
import io
import json
import math

import cbor2
import msgpack

from e2ev2_errors import PlaintextError, SealError

SER_JSON, SER_MSGPACK, SER_CBOR = 1, 2, 3
SER_BY_NAME = {"json": SER_JSON, "msgpack": SER_MSGPACK, "cbor": SER_CBOR}
SER_NAME = {v: k for k, v in SER_BY_NAME.items()}
MAX_DEPTH = 512


def _check_value(v, depth=0, *, error=PlaintextError):
    """Raise unless v is in WAMP's data model."""
    if depth > MAX_DEPTH:
        raise error("nesting deeper than 512")
    if v is None or isinstance(v, (bool, str, bytes)):
        return
    if isinstance(v, int):
        return
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            raise error("NaN or infinity")
        return
    if isinstance(v, list):
        for x in v:
            _check_value(x, depth + 1, error=error)
        return
    if isinstance(v, dict):
        for k, x in v.items():
            if not isinstance(k, str):
                raise error("map key is not a string")
            _check_value(x, depth + 1, error=error)
        return
    raise error(f"value of type {type(v).__name__} outside the WAMP data model")


def _to_json_model(v):
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "\u0000" + base64.b64encode(bytes(v)).decode("ascii")
    if isinstance(v, (list, tuple)):
        return [_to_json_model(x) for x in v]
    if isinstance(v, dict):
        return {k: _to_json_model(x) for k, x in v.items()}
    return v


def _from_json_model(v):
    if isinstance(v, str):
        if v.startswith("\u0000"):
            try:
                return base64.b64decode(v[1:].encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError, ValueError):
                raise PlaintextError("invalid base64 after \\u0000") from None
        return v
    if isinstance(v, list):
        return [_from_json_model(x) for x in v]
    if isinstance(v, dict):
        return {k: _from_json_model(x) for k, x in v.items()}
    return v


def _normalize(v):
    """bytearray/memoryview -> bytes, tuple -> list (so the encoders see one form)."""
    if isinstance(v, (bytearray, memoryview)):
        return bytes(v)
    if isinstance(v, (list, tuple)):
        return [_normalize(x) for x in v]
    if isinstance(v, dict):
        return {k: _normalize(x) for k, x in v.items()}
    return v


def serialize(ser, obj):
    """Encode one value of the data model with serializer id ``ser`` (fixed form)."""
    obj = _normalize(obj)
    _check_value(obj, error=SealError)
    if ser == SER_JSON:
        text = json.dumps(_to_json_model(obj), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    if ser == SER_MSGPACK:
        return msgpack.packb(obj, use_bin_type=True)
    if ser == SER_CBOR:
        return cbor2.dumps(obj)
    raise SealError(f"unknown serializer {ser}")


def deserialize(ser, data):
    """Decode one value; raise PlaintextError on anything but exactly one valid value."""
    try:
        if ser == SER_JSON:
            def no_constants(name):
                raise ValueError(f"{name} is not JSON")

            value = _from_json_model(json.loads(data.decode("utf-8"), parse_constant=no_constants))
        elif ser == SER_MSGPACK:
            value = msgpack.unpackb(data, raw=False, strict_map_key=True)
        elif ser == SER_CBOR:
            stream = io.BytesIO(data)
            value = cbor2.CBORDecoder(stream).decode()
            if stream.tell() != len(data):
                raise ValueError("trailing bytes after the CBOR value")
        else:
            raise PlaintextError(f"unknown serializer {ser}")
    except PlaintextError:
        raise
    except Exception as e:  # every decoder failure is the same refusal
        raise PlaintextError(f"does not decode: {type(e).__name__}") from None
    if isinstance(value, tuple):
        value = list(value)
    _check_value(value)
    return value


def encode_plaintext(ser, args, kwargs, uri=None):
    """serialize({"args": args, "kwargs": kwargs[, "uri": uri]}) in that key order."""
    inner = {"args": list(args) if args is not None else [], "kwargs": dict(kwargs) if kwargs is not None else {}}
    if uri is not None:
        inner["uri"] = uri
    return serialize(ser, inner)


def decode_plaintext(ser, data, inner_uri):
    """Decode and check the shape; returns (args, kwargs, uri or None)."""
    value = deserialize(ser, data)
    if not isinstance(value, dict):
        raise PlaintextError("plaintext is not a map")
    expected = {"args", "kwargs", "uri"} if inner_uri else {"args", "kwargs"}
    if set(value) != expected:
        raise PlaintextError("plaintext keys are not exactly " + ", ".join(sorted(expected)))
    if not isinstance(value["args"], list):
        raise PlaintextError("args is not a list")
    if not isinstance(value["kwargs"], dict):
        raise PlaintextError("kwargs is not a map")
    uri = value.get("uri")
    if inner_uri and not isinstance(uri, str):
        raise PlaintextError("uri is not a string")
    return value["args"], value["kwargs"], uri
