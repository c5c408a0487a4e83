#!/usr/bin/env python3
"""Autobahn|Python interop peer for the wampbox integration tests.

Run it with the router venv's python (``node scripts/router/router.mjs python
test/interop/python/peer.py MODE ...``). Every observation is printed to stdout as
one JSON object per line (flushed immediately). Binary values are printed as
``{"$bytes_b64": "..."}`` and the same form is accepted inside ``--args`` and
``--kwargs``. See README.md beside this file for the modes and options.
"""

import argparse
import asyncio
import base64
import json
import os
import signal
import sys
import threading
import traceback
from urllib.parse import urlparse

# The peer speaks json, msgpack and cbor only; keeping bjdata (Autobahn's ubjson backend)
# out skips importing numpy and saves about a second of start-up.
sys.modules.setdefault("bjdata", None)

import txaio  # noqa: E402

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import WampRawSocketClientFactory  # noqa: E402
from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp import auth as wamp_auth  # noqa: E402
from autobahn.wamp import message as wamp_message  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.serializer import (  # noqa: E402
    CBORSerializer,
    JsonSerializer,
    MsgPackSerializer,
)
from autobahn.wamp.types import (  # noqa: E402
    CallOptions,
    CallResult,
    ComponentConfig,
    PublishOptions,
    RegisterOptions,
    SubscribeOptions,
)

SERIALIZERS = {
    "json": JsonSerializer,
    "msgpack": MsgPackSerializer,
    "cbor": CBORSerializer,
}

# --------------------------------------------------------------------------------------------
# output


def to_jsonable(value):
    """Convert a WAMP payload value into something json.dumps accepts."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes_b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def emit(event, **fields):
    line = {"event": event}
    line.update({k: to_jsonable(v) for k, v in fields.items()})
    try:
        sys.stdout.write(json.dumps(line, sort_keys=False) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # whoever reads the observations is gone: nothing left to do
        os._exit(1)


def from_json_arg(text, what):
    """Parse --args/--kwargs JSON; {"$bytes_b64": "..."} objects become bytes."""

    def hook(obj):
        if len(obj) == 1 and "$bytes_b64" in obj:
            return base64.b64decode(obj["$bytes_b64"])
        return obj

    try:
        return json.loads(text, object_hook=hook)
    except json.JSONDecodeError as e:
        raise ValueError(f"invalid JSON for {what}: {e}")


# --------------------------------------------------------------------------------------------
# the raw WELCOME details are kept so that tests can inspect what the router announced

_last_welcome_details = {}
_orig_welcome_parse = wamp_message.Welcome.parse


def _welcome_parse(wmsg):
    global _last_welcome_details
    if isinstance(wmsg, (list, tuple)) and len(wmsg) > 2 and isinstance(wmsg[2], dict):
        _last_welcome_details = wmsg[2]
    return _orig_welcome_parse(wmsg)


wamp_message.Welcome.parse = staticmethod(_welcome_parse)

# --------------------------------------------------------------------------------------------
# key ring


def build_keyring(opts):
    """Build an autobahn cryptobox KeyRing from the command line, or None."""
    given = [
        opts.originator_priv,
        opts.originator_pub,
        opts.responder_priv,
        opts.responder_pub,
        opts.single_key,
    ]
    if not any(given):
        return None
    from autobahn.wamp.cryptobox import Key, KeyRing

    ring = KeyRing()
    if opts.single_key:
        # one secret key used for both the originator and the responder role
        ring.set_key(opts.key_prefix, opts.single_key)
    else:
        # Autobahn's Key compares a given public key with the PublicKey object it derives from
        # the secret key, which never succeeds (an AssertionError). So when both halves of a role
        # are given, check them here and hand Autobahn the secret key only.
        originator_pub = _role_public(opts.originator_priv, opts.originator_pub, "originator")
        responder_pub = _role_public(opts.responder_priv, opts.responder_pub, "responder")
        key = Key(
            originator_priv=opts.originator_priv,
            originator_pub=originator_pub,
            responder_priv=opts.responder_priv,
            responder_pub=responder_pub,
        )
        ring.set_key(opts.key_prefix, key)
    return ring


def _role_public(priv_b64, pub_b64, role):
    """The public key to pass to Autobahn's Key for one role: None when the secret key is given."""
    if not priv_b64 or not pub_b64:
        return pub_b64
    from nacl.public import PrivateKey

    derived = PrivateKey(base64.b64decode(priv_b64)).public_key.encode()
    if derived != base64.b64decode(pub_b64):
        raise ValueError(f"--{role}-pub does not belong to --{role}-priv")
    return None


# --------------------------------------------------------------------------------------------
# the session


class Peer(ApplicationSession):
    def __init__(self, config, opts, done):
        super().__init__(config)
        self.opts = opts
        self.done = done
        self.keyring = build_keyring(opts)
        self.handled = 0
        self._results = {}
        self._error_enc_algo = {}
        self._commands = set()
        self._cryptosign_key = None

    # -- connection and authentication --------------------------------------------------

    def onConnect(self):
        o = self.opts
        if self.keyring is not None:
            self.set_payload_codec(self.keyring)
        authmethods = ["anonymous"]
        authextra = None
        if o.ticket is not None:
            authmethods = ["ticket"]
        elif o.wampcra_secret is not None:
            authmethods = ["wampcra"]
        elif o.cryptosign_seed is not None:
            from autobahn.wamp.cryptosign import CryptosignKey

            self._cryptosign_key = CryptosignKey.from_bytes(bytes.fromhex(o.cryptosign_seed))
            authmethods = ["cryptosign"]
            authextra = {"pubkey": self._cryptosign_key.public_key()}
        self.join(o.realm, authmethods=authmethods, authid=o.authid, authextra=authextra)

    def onChallenge(self, challenge):
        o = self.opts
        if challenge.method == "ticket":
            return o.ticket
        if challenge.method == "wampcra":
            secret = o.wampcra_secret
            if "salt" in challenge.extra:
                secret = wamp_auth.derive_key(
                    secret,
                    challenge.extra["salt"],
                    challenge.extra.get("iterations", 1000),
                    challenge.extra.get("keylen", 32),
                )
            return wamp_auth.compute_wcs(secret, challenge.extra["challenge"])
        if challenge.method == "cryptosign" and self._cryptosign_key is not None:
            return self._cryptosign_key.sign_challenge(challenge)
        raise Exception(f"unexpected authentication challenge {challenge.method}")

    def onMessage(self, msg):
        # Keep RESULT and ERROR messages by request id: Autobahn decrypts them in place (msg.args
        # and msg.kwargs) before it resolves the call or fires on_progress, so a caller can print
        # the exact args/kwargs and whether they arrived encrypted (also with concurrent calls).
        if isinstance(msg, wamp_message.Result):
            self._results[msg.request] = msg
        elif isinstance(msg, wamp_message.Error):
            self._error_enc_algo[msg.request] = msg.enc_algo
        return super().onMessage(msg)

    async def onJoin(self, details):
        emit(
            "joined",
            realm=details.realm,
            session=details.session,
            authid=details.authid,
            authrole=details.authrole,
            authmethod=details.authmethod,
            serializer=details.serializer,
            welcome=_last_welcome_details,
        )
        try:
            mode = self.opts.mode
            if mode == "callee":
                await self.run_callee()
            elif mode == "caller":
                await self.run_caller()
            elif mode == "subscriber":
                await self.run_subscriber()
            elif mode == "publisher":
                await self.run_publisher()
            elif mode == "driven":
                await self.run_driven()
        except Exception as e:
            self.fail(e)

    def onLeave(self, details):
        if not self.done.done() and details.reason not in ("wamp.close.normal", "wamp.error.goodbye_and_out"):
            emit("left", reason=details.reason, message=details.message)
            self.done.set_result(2)
        super().onLeave(details)

    def onDisconnect(self):
        if not self.done.done():
            emit("disconnected")
            self.done.set_result(2)

    # -- helpers ------------------------------------------------------------------------

    def fail(self, e):
        emit("fatal", error=str(e), type=type(e).__name__)
        traceback.print_exc(file=sys.stderr)
        if not self.done.done():
            self.done.set_result(1)

    def finish(self, code=0):
        if not self.done.done():
            self.done.set_result(code)

    def count_one(self):
        self.handled += 1
        if self.opts.count is not None and self.handled >= self.opts.count:
            # let the reply go out before leaving
            asyncio.get_event_loop().call_later(0.2, self.finish, 0)

    # -- building blocks shared by the modes ---------------------------------------------

    def make_endpoint(self):
        """The echo procedure: returns its args and kwargs; kwargs "raise" and "progress" steer it."""

        async def endpoint(*args, details=None, **kwargs):
            emit(
                "invocation",
                procedure=details.procedure,
                args=list(args),
                kwargs=kwargs,
                enc_algo=details.enc_algo,
                caller=details.caller,
                caller_authid=details.caller_authid,
                progress_requested=details.progress is not None,
            )
            self.count_one()
            error_uri = kwargs.get("raise")
            if error_uri is True:
                error_uri = "com.example.error.test"
            if isinstance(error_uri, str):
                raise ApplicationError(error_uri, *args, **kwargs)
            n = kwargs.get("progress")
            if isinstance(n, int) and not isinstance(n, bool) and n > 0:
                if details.progress is None:
                    emit("progress_skipped", reason="caller did not request progressive results")
                else:
                    for i in range(n):
                        details.progress(i)
                        await asyncio.sleep(0)
            return CallResult(*args, **kwargs)

        return endpoint

    def make_event_handler(self):
        def on_event(*args, details=None, **kwargs):
            emit(
                "event",
                topic=details.topic,
                args=list(args),
                kwargs=kwargs,
                enc_algo=details.enc_algo,
                publication=details.publication,
                publisher=details.publisher,
                publisher_authid=details.publisher_authid,
            )
            self.handled += 1
            if self.opts.count is not None and self.handled >= self.opts.count:
                self.finish(0)

        return on_event

    async def do_call(self, procedure, args, kwargs, receive_progress=False, extra=None):
        """Make one call and print its progressive results, then its result or error."""
        extra = extra or {}
        request = {}

        def on_progress(*_args, **_kwargs):
            r = self._results.get(request.get("id"))
            if r is None:
                emit("progress", args=list(_args), kwargs=_kwargs, enc_algo=None, **extra)
            else:
                emit("progress", args=list(r.args or []), kwargs=r.kwargs or {}, enc_algo=r.enc_algo, **extra)

        # CallOptions(details=True) is not used: Autobahn 26.10 fails on plaintext progressive
        # results without kwargs in that mode, and the raw RESULT is at hand anyway.
        options = CallOptions(on_progress=on_progress if receive_progress else None)
        reply = self.call(procedure, *args, options=options, **kwargs)
        # call() sends the CALL synchronously; its request id is the one just generated
        request["id"] = self._request_id_gen._next
        try:
            await reply
        except ApplicationError as e:
            emit(
                "error",
                error=e.error,
                args=list(e.args),
                kwargs=e.kwargs,
                enc_algo=self._error_enc_algo.get(request["id"]),
                **extra,
            )
        else:
            r = self._results[request["id"]]
            emit("result", args=list(r.args or []), kwargs=r.kwargs or {}, enc_algo=r.enc_algo, **extra)
        finally:
            self._results.pop(request["id"], None)
            self._error_enc_algo.pop(request["id"], None)

    async def do_publish(self, topic, args, kwargs, acknowledge, include_me):
        """Publish once; returns the publication id (None without acknowledge)."""
        options = PublishOptions(acknowledge=acknowledge, exclude_me=not include_me)
        # publish() returns a future only for acknowledged publications
        pub = self.publish(topic, *args, options=options, **kwargs)
        if pub is not None:
            pub = await pub
        return pub.id if pub is not None else None

    # -- modes --------------------------------------------------------------------------

    async def run_callee(self):
        o = self.opts
        reg = await self.register(
            self.make_endpoint(),
            o.procedure,
            options=RegisterOptions(details_arg="details", match=o.match),
        )
        emit("ready", registration=reg.id, procedure=o.procedure)

    async def run_caller(self):
        o = self.opts
        emit("ready", procedure=o.procedure)
        await self.do_call(o.procedure, o.args, o.kwargs, receive_progress=o.receive_progress)
        self.finish(0)

    async def run_subscriber(self):
        o = self.opts
        sub = await self.subscribe(
            self.make_event_handler(),
            o.topic,
            options=SubscribeOptions(details_arg="details", match=o.match),
        )
        emit("ready", subscription=sub.id, topic=o.topic)

    async def run_publisher(self):
        o = self.opts
        emit("ready", topic=o.topic)
        count = o.count if o.count is not None else 1
        for i in range(count):
            try:
                pub = await self.do_publish(o.topic, o.args, o.kwargs, o.acknowledge, o.include_me)
            except ApplicationError as e:
                emit("error", error=e.error, args=list(e.args), kwargs=e.kwargs)
                self.finish(3)
                return
            emit("published", index=i, publication=pub)
            if o.interval > 0 and i + 1 < count:
                await asyncio.sleep(o.interval)
        self.finish(0)

    async def run_driven(self):
        """Obey JSON commands read from stdin, one per line, until stdin ends (then leave once
        the commands under way are answered)."""
        loop = asyncio.get_running_loop()

        def read_stdin():
            # a thread: works for every kind of stdin (pipe, socket, file)
            try:
                for line in sys.stdin:
                    loop.call_soon_threadsafe(self.on_command_line, line)
                loop.call_soon_threadsafe(self.on_commands_end)
            except RuntimeError:
                pass  # the loop has closed: the peer is exiting anyway

        threading.Thread(target=read_stdin, name="stdin", daemon=True).start()
        emit("ready")

    def on_command_line(self, line):
        line = line.strip()
        if not line:
            return
        try:
            cmd = from_json_arg(line, "command")
            if not isinstance(cmd, dict):
                raise ValueError("a command is a JSON object")
        except ValueError as e:
            emit("command_failed", tag=None, error=str(e), type="ValueError")
            return
        task = asyncio.ensure_future(self.run_command(cmd))
        self._commands.add(task)
        task.add_done_callback(self._commands.discard)

    def on_commands_end(self):
        """stdin ended: leave once the commands under way have been answered."""

        async def finish_when_idle():
            while self._commands:
                await asyncio.wait(set(self._commands))
            self.finish(0)

        asyncio.ensure_future(finish_when_idle())

    async def run_command(self, cmd):
        tag = cmd.get("tag")
        op = cmd.get("op")
        try:
            args = cmd.get("args") or []
            kwargs = cmd.get("kwargs") or {}
            if op == "register":
                reg = await self.register(
                    self.make_endpoint(),
                    cmd["procedure"],
                    options=RegisterOptions(details_arg="details", match=cmd.get("match")),
                )
                emit("registered", tag=tag, registration=reg.id, procedure=cmd["procedure"])
            elif op == "subscribe":
                sub = await self.subscribe(
                    self.make_event_handler(),
                    cmd["topic"],
                    options=SubscribeOptions(details_arg="details", match=cmd.get("match")),
                )
                emit("subscribed", tag=tag, subscription=sub.id, topic=cmd["topic"])
            elif op == "call":
                await self.do_call(
                    cmd["procedure"],
                    args,
                    kwargs,
                    receive_progress=bool(cmd.get("receive_progress")),
                    extra={"tag": tag},
                )
            elif op == "publish":
                try:
                    pub = await self.do_publish(
                        cmd["topic"],
                        args,
                        kwargs,
                        bool(cmd.get("acknowledge")),
                        bool(cmd.get("include_me")),
                    )
                except ApplicationError as e:
                    emit("error", tag=tag, error=e.error, args=list(e.args), kwargs=e.kwargs)
                else:
                    emit("published", tag=tag, index=0, publication=pub)
            else:
                raise ValueError(f"unknown op {op!r} (register, subscribe, call, publish)")
        except Exception as e:
            emit("command_failed", tag=tag, error=str(e), type=type(e).__name__)
            traceback.print_exc(file=sys.stderr)


# --------------------------------------------------------------------------------------------
# transport


async def connect(loop, opts, session):
    serializer_cls = SERIALIZERS[opts.serializer]
    url = opts.url
    parsed = urlparse(url)
    if parsed.scheme in ("ws",):
        factory = WampWebSocketClientFactory(
            lambda: session, url=url, serializers=[serializer_cls()]
        )
        factory.setProtocolOptions(maxMessagePayloadSize=0, maxFramePayloadSize=0)
        host = parsed.hostname or "127.0.0.1"
        port = parsed.port or 80
        await loop.create_connection(factory, host, port)
    elif parsed.scheme in ("rs", "tcp"):
        factory = WampRawSocketClientFactory(lambda: session, serializer=serializer_cls())
        await loop.create_connection(factory, parsed.hostname or "127.0.0.1", parsed.port)
    elif parsed.scheme in ("rs+unix", "unix"):
        path = parsed.path or parsed.netloc
        factory = WampRawSocketClientFactory(lambda: session, serializer=serializer_cls())
        await loop.create_unix_connection(factory, path)
    else:
        raise ValueError(f"unsupported URL scheme in {url!r} (ws://, rs://host:port, rs+unix:///path)")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="peer.py", description="Autobahn|Python interop peer")
    p.add_argument("mode", choices=["callee", "caller", "subscriber", "publisher", "driven"])
    p.add_argument("--url", required=True, help="ws://HOST:PORT/ws, rs://HOST:PORT or rs+unix:///PATH")
    p.add_argument("--realm", default="realm1")
    p.add_argument("--serializer", choices=sorted(SERIALIZERS), default="json")
    p.add_argument("--procedure")
    p.add_argument("--topic")
    p.add_argument("--match", choices=["exact", "prefix", "wildcard"], default=None)
    p.add_argument("--args", default="[]", help="JSON array")
    p.add_argument("--kwargs", default="{}", help="JSON object")
    p.add_argument("--count", type=int, default=None)
    p.add_argument("--interval", type=float, default=0.0, help="seconds between publications")
    p.add_argument("--acknowledge", action="store_true")
    p.add_argument("--include-me", action="store_true", help="publish with exclude_me=false")
    p.add_argument("--receive-progress", action="store_true", help="caller: ask for progressive results")
    p.add_argument("--timeout", type=float, default=None, help="give up (exit 4) after this many seconds")
    # authentication (anonymous when none given)
    p.add_argument("--authid")
    p.add_argument("--ticket")
    p.add_argument("--wampcra-secret")
    p.add_argument("--cryptosign-seed", help="hex Ed25519 private seed")
    # cryptobox key ring
    p.add_argument("--key-prefix", default="", help="URI prefix of the key ('' = default key)")
    p.add_argument("--originator-priv")
    p.add_argument("--originator-pub")
    p.add_argument("--responder-priv")
    p.add_argument("--responder-pub")
    p.add_argument("--single-key", help="one private key used for both roles")
    p.add_argument("--log-level", default="warn", help="autobahn log level on stderr")
    opts = p.parse_args(argv)
    if opts.mode in ("callee", "caller") and not opts.procedure:
        p.error(f"{opts.mode} needs --procedure")
    if opts.mode in ("subscriber", "publisher") and not opts.topic:
        p.error(f"{opts.mode} needs --topic")
    try:
        opts.args = from_json_arg(opts.args, "--args")
        opts.kwargs = from_json_arg(opts.kwargs, "--kwargs")
    except ValueError as e:
        p.error(str(e))
    if not isinstance(opts.args, list):
        p.error("--args must be a JSON array")
    if not isinstance(opts.kwargs, dict):
        p.error("--kwargs must be a JSON object")
    if opts.timeout is None and opts.mode in ("caller", "publisher"):
        opts.timeout = 30.0
    return opts


async def amain(opts):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: done.done() or done.set_result(0))

    session = Peer(ComponentConfig(realm=opts.realm), opts, done)
    try:
        await connect(loop, opts, session)
    except (OSError, ValueError, asyncio.TimeoutError) as e:
        emit("fatal", error=f"connect failed: {e}", type=type(e).__name__)
        return 1

    try:
        if opts.timeout is not None:
            code = await asyncio.wait_for(asyncio.shield(done), opts.timeout)
        else:
            code = await done
    except asyncio.TimeoutError:
        emit("fatal", error=f"timeout after {opts.timeout} s", type="TimeoutError")
        code = 4

    # leave cleanly when still attached
    try:
        if session.is_attached():
            await asyncio.wait_for(session.leave(), 2)
    except Exception:
        pass
    try:
        if session._transport is not None:
            session._transport.close()
    except Exception:
        pass
    await asyncio.sleep(0.05)
    return code


def main(argv=None):
    opts = parse_args(sys.argv[1:] if argv is None else argv)
    txaio.start_logging(level=opts.log_level, out=sys.stderr)
    try:
        code = asyncio.run(amain(opts))
    except SystemExit:
        raise
    except Exception as e:
        emit("fatal", error=str(e), type=type(e).__name__)
        traceback.print_exc(file=sys.stderr)
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
