#!/usr/bin/env python3
"""Autobahn|Python peer that speaks x_e2ev2, for live interop tests through a router.

It joins, prints {"event": "ready"}, then obeys JSON commands on stdin, one per line, like the
`driven` mode of ../peer.py. It prints the same kind of JSON lines, and binary is written as
{"$bytes_b64": ...}. Autobahn's IPayloadCodec cannot see the message type, the progress flag or
the call a result answers, so this peer seals and opens v2 payloads itself: it builds
PUBLISH/CALL/YIELD/ERROR messages with Autobahn's message classes, and takes EVENT, INVOCATION,
RESULT and ERROR for its own subscriptions, registrations and calls out of onMessage before
Autobahn sees them. Autobahn still does the rest (HELLO, authentication, subscribe, register).

    node scripts/router/router.mjs python test/interop/python/e2ev2/peer_e2ev2.py \\
        --url ws://127.0.0.1:PORT/ws --config CONFIG.json [--serializer json|msgpack|cbor]

The configuration and the commands are described in README.md ("The live peer").
"""

import argparse
import asyncio
import json
import os
import sys
import traceback
from collections import namedtuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.dirname(HERE))  # ../peer.py: output, authentication, transports

import peer as base  # noqa: E402
from peer import emit  # noqa: E402

from autobahn.wamp import message  # noqa: E402
from autobahn.wamp.types import ComponentConfig, RegisterOptions, SubscribeOptions  # noqa: E402

from e2ev2 import CalleeExchange, CallerSession, E2eError, Envelope, Identity, Sender  # noqa: E402
from e2ev2_keyservice import group_key_from_json, payload_kid  # noqa: E402
from e2ev2_peer_keys import KeyCommands  # noqa: E402
from e2ev2_state import longest, system_clock_ms  # noqa: E402
from e2ev2_vectors import build_receiver  # noqa: E402
from e2ev2_wire import SCHEME  # noqa: E402

H = bytes.fromhex


def _envelope(msg):
    """The v2 Envelope of an incoming Autobahn message (enc_* details, or plain args/kwargs)."""
    if msg.enc_algo:
        return Envelope.transparent(msg.payload, msg.enc_serializer, msg.enc_key, msg.enc_algo)
    return Envelope.plain(msg.args, msg.kwargs)


def _opened_fields(o):
    return dict(
        args=list(o.args or []), kwargs=dict(o.kwargs or {}),
        enc_algo=None if o.passthrough else SCHEME, carriage=None if o.passthrough else o.carriage,
        spk=o.spk.hex() if o.spk else None, author=o.author.hex() if o.author else None,
    )


class V2Peer(KeyCommands, base.Peer):
    """peer.Peer in driven mode, with x_e2ev2 on every URI its configuration routes to x_e2ev2;
    key distribution commands from KeyCommands (e2ev2_peer_keys.py)."""

    def __init__(self, config, opts, done, cfg):
        super().__init__(config, opts, done)
        self.cfg = cfg
        self.identity = Identity(H(cfg["seed"]))
        self.receiver = build_receiver(cfg, base_clock)
        send = cfg.get("send", {})
        self.defaults = {"carriage": send.get("carriage", "transparent"), "ser": send.get("ser", "json"),
                         "bucket": send.get("bucket")}
        self.sender = Sender(self.identity, clock=base_clock, namespaces=self.receiver.namespaces,
                             sign_every_call=send.get("sign_every_call", False),
                             sign_replies=send.get("sign_replies", False), serializer=self.defaults["ser"])
        self.scopes = [_Scope(s["prefix"], H(s["x25519_pk"]), H(s["session_key"]) if s.get("session_key") else None)
                       for s in cfg.get("callee_scopes", [])]
        self.sessions = {}  # scope prefix -> CallerSession
        self._v2_subs, self._v2_regs, self._v2_calls, self._v2_pubs = {}, {}, {}, {}
        self._key_services = {}  # registration id -> KeyService

    # -- helpers -------------------------------------------------------------------------

    def v2(self, uri):
        return not uri.startswith("wamp.") and self.receiver.route(uri).scheme == SCHEME

    def opt(self, cmd, name):
        return cmd.get(name, self.defaults[name])

    def group_key_for(self, topic):
        g = longest(self.receiver.group_keys.values(), topic, prefix_of=lambda k: k.scope)
        if g is None:
            raise E2eError(f"no group key for {topic}")
        return g

    def session_for(self, procedure):
        scope = longest(self.scopes, procedure)
        if scope is None:
            raise E2eError(f"no callee scope key for {procedure}")
        s = self.sessions.get(scope.prefix)
        if s is None:
            s = self.sessions[scope.prefix] = (CallerSession(scope.session_key, scope.prefix, scope.pk)
                                               if scope.session_key else CallerSession.new(scope.prefix, scope.pk))
        return s

    @staticmethod
    def carry(sealed, carriage):
        """Message keyword arguments for one sealed payload in the chosen carriage."""
        if carriage == "argument":
            return {"args": [sealed.payload]}
        o = sealed.options("autobahn")
        return {"payload": sealed.payload, "enc_algo": o["enc_algo"], "enc_serializer": o["enc_serializer"],
                "enc_key": o["enc_key"]}

    # -- incoming --------------------------------------------------------------------------

    def onMessage(self, msg):
        try:
            if isinstance(msg, message.Event) and msg.subscription in self._v2_subs:
                return self.on_event(msg)
            if isinstance(msg, message.Invocation) and msg.registration in self._v2_regs:
                return self.on_invocation(msg)
            if isinstance(msg, message.Result) and msg.request in self._v2_calls:
                return self.on_reply(msg)
            if isinstance(msg, message.Error) and msg.request_type == message.Call.MESSAGE_TYPE and msg.request in self._v2_calls:
                return self.on_reply(msg)
            if isinstance(msg, message.Published) and msg.request in self._v2_pubs:
                return self._v2_pubs.pop(msg.request).set_result(msg.publication)
            if isinstance(msg, message.Error) and msg.request_type == message.Publish.MESSAGE_TYPE and msg.request in self._v2_pubs:
                return self._v2_pubs.pop(msg.request).set_exception(_RouterError(msg.error))
        except Exception as e:  # a bug here must show, not hang the test
            self.fail(e)
            return
        super().onMessage(msg)

    def on_event(self, msg):
        topic, env = msg.topic or self._v2_subs[msg.subscription], _envelope(msg)
        try:
            o = self.receiver.open("EVENT", topic, env, retained=bool(msg.retained))
        except E2eError as e:
            emit("refused", wamp="EVENT", uri=topic, error=e.code, detail=e.detail, kid=payload_kid(env))
            return
        emit("event", topic=o.uri, wire_topic=topic, stale=o.stale, publication=msg.publication,
             publisher=msg.publisher, publisher_authid=msg.publisher_authid, **_opened_fields(o))

    def on_invocation(self, msg):
        proc = msg.procedure or self._v2_regs[msg.registration]
        exchange = CalleeExchange()
        try:
            o = self.receiver.open("INVOCATION", proc, _envelope(msg), exchange=exchange)
        except E2eError as e:
            emit("refused", wamp="INVOCATION", uri=proc, error=e.code, detail=e.detail)
            self._transport.send(message.Error(message.Invocation.MESSAGE_TYPE, msg.request, e.wamp_uri, args=[e.code]))
            return
        carriage = "transparent" if o.passthrough or o.carriage == "transparent" else "argument"
        if msg.registration in self._key_services:
            return self.serve_key(msg, o, exchange, carriage)
        emit("invocation", procedure=o.uri, wire_procedure=proc, caller=msg.caller, caller_authid=msg.caller_authid,
             progress_requested=bool(msg.receive_progress), **_opened_fields(o))
        asyncio.ensure_future(self.serve(msg, o, exchange, carriage))

    def reply(self, msg, o, exchange, carriage, args, kwargs, progress=False, error_uri=None):
        """One YIELD (or, with error_uri, ERROR) to an INVOCATION: sealed, unless it came in the clear."""
        if o.passthrough:
            if error_uri is None:
                m = message.Yield(msg.request, args=args, kwargs=kwargs, progress=progress or None)
            else:
                m = message.Error(message.Invocation.MESSAGE_TYPE, msg.request, error_uri, args=args, kwargs=kwargs)
            return self._transport.send(m)
        s = self.sender.reply(exchange, args, kwargs, progress=progress, error_uri=error_uri,
                              ser=self.defaults["ser"], bucket=self.defaults["bucket"])
        if error_uri is None:
            m = message.Yield(msg.request, progress=progress or None, **self.carry(s, carriage))
        else:
            m = message.Error(message.Invocation.MESSAGE_TYPE, msg.request, s.wire_uri, **self.carry(s, carriage))
        self._transport.send(m)

    async def serve(self, msg, o, exchange, carriage):
        """The echo procedure of ../peer.py: kwargs "raise" and "progress" steer it; sealed replies."""
        kwargs = o.kwargs or {}
        args = list(o.args or [])
        try:
            error_uri = kwargs.get("raise")
            if error_uri is True:
                error_uri = "com.example.error.test"
            if isinstance(error_uri, str):
                return self.reply(msg, o, exchange, carriage, args, kwargs, error_uri=error_uri)
            n = kwargs.get("progress")
            if isinstance(n, int) and not isinstance(n, bool) and n > 0 and msg.receive_progress:
                for i in range(n):
                    self.reply(msg, o, exchange, carriage, [i], {}, progress=True)
                    await asyncio.sleep(0)
            self.reply(msg, o, exchange, carriage, args, kwargs)
        except Exception as e:
            self.fail(e)

    def on_reply(self, msg):
        p = self._v2_calls[msg.request]
        is_error = isinstance(msg, message.Error)
        progress = bool(getattr(msg, "progress", False)) and not is_error
        if is_error and msg.error == "wamp.error.encryption.unknown_key" and not msg.enc_algo and not p["retried"]:
            # the callee lost our session key: wrap it again, once (a forged one costs one re-wrap)
            del self._v2_calls[msg.request]
            self.sender.on_unknown_key(p["session"])
            self.send_call(p["cmd"], p["future"], retried=True)
            return
        quiet = p["cmd"].get("quiet")  # the command prints what it makes of the reply (fetch_key)
        try:
            o = self.receiver.open("ERROR" if is_error else "RESULT", msg.error if is_error else None, _envelope(msg),
                                   exchange=p["exchange"], progress=progress)
        except E2eError as e:
            if not progress:
                del self._v2_calls[msg.request]
                p["future"].set_result(e)
            if not quiet:
                emit("error", tag=p["tag"], error=e.wamp_uri, refused=e.code, local=True, args=[], kwargs={})
            return
        if not quiet:
            if progress:
                emit("progress", tag=p["tag"], **_opened_fields(o))
            elif is_error:
                emit("error", tag=p["tag"], error=o.uri, wire_error=msg.error, authenticated=o.authenticated, **_opened_fields(o))
            else:
                emit("result", tag=p["tag"], **_opened_fields(o))
        if not progress:
            del self._v2_calls[msg.request]
            p["future"].set_result(o)

    # -- outgoing --------------------------------------------------------------------------

    def send_call(self, cmd, future, retried=False):
        procedure = cmd["procedure"]
        args, kwargs = cmd.get("args") or [], cmd.get("kwargs") or {}
        request = self._request_id_gen.next()
        rp = bool(cmd.get("receive_progress")) or None
        if not self.v2(procedure):
            raise E2eError(f"{procedure} is not routed to x_e2ev2 (use ../peer.py for plaintext)")
        session = self.session_for(procedure)
        s = self.sender.call(procedure, args, kwargs, session=session, ser=self.opt(cmd, "ser"), bucket=self.opt(cmd, "bucket"))
        self._v2_calls[request] = {"exchange": s.exchange, "tag": cmd.get("tag"), "future": future, "session": session,
                                   "cmd": cmd, "retried": retried}
        self._transport.send(message.Call(request, s.wire_uri, receive_progress=rp, **self.carry(s, self.opt(cmd, "carriage"))))

    async def run_command(self, cmd):
        tag, op = cmd.get("tag"), cmd.get("op")
        try:
            if op == "subscribe":
                topic = cmd["topic"]
                wire = self._wire(topic, cmd.get("match"))
                sub = await self.subscribe(lambda *a, **k: None, wire, options=SubscribeOptions(match=cmd.get("match")))
                self._v2_subs[sub.id] = wire
                emit("subscribed", tag=tag, subscription=sub.id, topic=topic, wire_topic=wire)
            elif op == "register":
                procedure = cmd["procedure"]
                wire = self._wire(procedure, cmd.get("match"))
                reg = await self.register(lambda *a, **k: None, wire, options=RegisterOptions(match=cmd.get("match")))
                self._v2_regs[reg.id] = wire
                emit("registered", tag=tag, registration=reg.id, procedure=procedure, wire_procedure=wire)
            elif op == "publish":
                await self.do_v2_publish(cmd)
            elif op == "publish_raw":
                await self.do_raw_publish(cmd)
            elif op == "call":
                fut = asyncio.get_running_loop().create_future()
                self.send_call(cmd, fut)
                await fut
            elif op in self.KEY_OPS:
                await self.key_command(op, cmd)
            else:
                raise ValueError(f"unknown op {op!r} (subscribe, register, publish, publish_raw, call, {', '.join(self.KEY_OPS)})")
        except _RouterError as e:
            emit("error", tag=tag, error=e.uri, args=[], kwargs={})
        except Exception as e:
            emit("command_failed", tag=tag, error=str(e), type=type(e).__name__)
            traceback.print_exc(file=sys.stderr)

    def _wire(self, uri, match):
        from e2ev2_scramble import find_namespace
        ns = find_namespace(self.receiver.namespaces, uri)
        return ns.scramble(uri, pattern=match in ("prefix", "wildcard")) if ns is not None else uri

    def _publish(self, cmd, topic, fields):
        request = self._request_id_gen.next()
        ack = bool(cmd.get("acknowledge"))
        fut = None
        if ack:
            fut = asyncio.get_running_loop().create_future()
            self._v2_pubs[request] = fut
        self._transport.send(message.Publish(request, topic, acknowledge=ack or None,
                                             exclude_me=False if cmd.get("include_me") else None, **fields))
        return fut

    async def do_v2_publish(self, cmd):
        topic = cmd["topic"]
        if not self.v2(topic):
            raise E2eError(f"{topic} is not routed to x_e2ev2 (use ../peer.py for plaintext)")
        g = group_key_from_json(cmd["group_key"]) if cmd.get("group_key") else self.group_key_for(topic)
        s = self.sender.publish(topic, cmd.get("args") or [], cmd.get("kwargs") or {}, group_key=g,
                                ser=self.opt(cmd, "ser"), bucket=self.opt(cmd, "bucket"))
        fut = self._publish(cmd, s.wire_uri, self.carry(s, self.opt(cmd, "carriage")))
        emit("published", tag=cmd.get("tag"), index=0, publication=(await fut) if fut else None,
             payload_length=len(s.payload), seq=int.from_bytes(s.payload[64:72], "big"), kid=s.kid.hex())

    async def do_raw_publish(self, cmd):
        """Publish given bytes as they are (hostile payloads for the other side's receiver)."""
        payload = cmd["payload"]
        if cmd.get("carriage", "transparent") == "argument":
            fields = {"args": [payload]}
        else:
            fields = {"payload": payload, "enc_algo": cmd.get("enc_algo", SCHEME),
                      "enc_serializer": cmd.get("enc_serializer", "json"), "enc_key": cmd.get("enc_key")}
        fut = self._publish(cmd, cmd["topic"], fields)
        emit("published", tag=cmd.get("tag"), index=0, publication=(await fut) if fut else None)


_Scope = namedtuple("_Scope", "prefix pk session_key")


class _RouterError(Exception):
    def __init__(self, uri):
        super().__init__(uri)
        self.uri = uri


base_clock = system_clock_ms


def parse_args(argv):
    p = argparse.ArgumentParser(prog="peer_e2ev2.py", description="x_e2ev2 interop peer (driven by stdin)")
    p.add_argument("mode", nargs="?", default="driven", choices=["driven"])
    p.add_argument("--url", required=True)
    p.add_argument("--realm", default="realm1")
    p.add_argument("--serializer", choices=sorted(base.SERIALIZERS), default="json")
    p.add_argument("--config", help="path of the JSON configuration")
    p.add_argument("--config-json", help="the JSON configuration itself")
    p.add_argument("--timeout", type=float, default=None)
    p.add_argument("--authid")
    p.add_argument("--ticket")
    p.add_argument("--wampcra-secret")
    p.add_argument("--cryptosign-seed")
    p.add_argument("--log-level", default="warn")
    opts = p.parse_args(argv)
    if bool(opts.config) == bool(opts.config_json):
        p.error("give exactly one of --config and --config-json")
    text = open(opts.config, encoding="utf-8").read() if opts.config else opts.config_json
    try:
        opts.cfg = json.loads(text)
    except json.JSONDecodeError as e:
        p.error(f"invalid configuration JSON: {e}")
    # what ../peer.py's session expects
    for name in ("originator_priv", "originator_pub", "responder_priv", "responder_pub", "single_key", "count"):
        setattr(opts, name, None)
    opts.key_prefix = ""
    return opts


async def amain(opts):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    import signal
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: done.done() or done.set_result(0))
    session = V2Peer(ComponentConfig(realm=opts.realm), opts, done, opts.cfg)
    try:
        await base.connect(loop, opts, session)
    except (OSError, ValueError, asyncio.TimeoutError) as e:
        emit("fatal", error=f"connect failed: {e}", type=type(e).__name__)
        return 1
    try:
        code = await (asyncio.wait_for(asyncio.shield(done), opts.timeout) if opts.timeout else done)
    except asyncio.TimeoutError:
        emit("fatal", error=f"timeout after {opts.timeout} s", type="TimeoutError")
        code = 4
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


def main():
    opts = parse_args(sys.argv[1:])
    base.txaio.start_logging(level=opts.log_level, out=sys.stderr)
    try:
        code = asyncio.run(amain(opts))
    except Exception as e:
        emit("fatal", error=str(e), type=type(e).__name__)
        traceback.print_exc(file=sys.stderr)
        code = 1
    sys.exit(code)


if __name__ == "__main__":
    main()
