"""Driven commands of the live peer (peer_e2ev2.py) for key distribution (§b.8.3, Decision 20) and
for changing its keys and grants at runtime: serve_keys, fetch_key, add_group_key, grant, revoke.
Described in README.md ("The live peer"). The decisions are e2ev2_keyservice's; this module
registers, calls, seals and prints. Lines never carry key material, only kids.
"""

import asyncio

from peer import emit

from e2ev2_errors import E2eError
from e2ev2_keypkg import key_get_request
from e2ev2_keyservice import KeyService, check_key_reply, group_key_from_json

H = bytes.fromhex


class KeyCommands:
    """Mixed into V2Peer (which provides receiver, v2, _wire, register, send_call, reply)."""

    KEY_OPS = ("serve_keys", "fetch_key", "add_group_key", "grant", "revoke")

    async def key_command(self, op, cmd):
        tag = cmd.get("tag")
        if op == "serve_keys":
            await self.do_serve_keys(cmd)
        elif op == "fetch_key":
            await self.do_fetch_key(cmd)
        elif op == "add_group_key":
            g = group_key_from_json(cmd)
            self.receiver.add_group_key(g)
            emit("group_key_added", tag=tag, kid=g.kid.hex(), scope=g.scope)
        elif op == "grant":
            self.receiver.trust.grant(H(cmd["spk"]), cmd["prefix"], cmd["roles"])
            emit("granted", tag=tag, spk=cmd["spk"], prefix=cmd["prefix"], roles=list(cmd["roles"]))
        elif op == "revoke":
            self.receiver.trust.revoke(H(cmd["spk"]))
            emit("revoked", tag=tag, spk=cmd["spk"])

    # -- the key service --------------------------------------------------------------------

    async def do_serve_keys(self, cmd):
        """Register ``procedure`` (once) as a key.get service holding ``keys``; each of ``readers``
        ({spk, prefix}) gets ``read`` on its prefix and ``call`` on the procedure."""
        procedure = cmd["procedure"]
        if not self.v2(procedure):
            raise E2eError(f"{procedure} is not routed to x_e2ev2: a key service answers sealed calls only")
        keys = [group_key_from_json(k) for k in cmd.get("keys") or []]
        for r in cmd.get("readers") or []:
            self.receiver.trust.grant(H(r["spk"]), r["prefix"], ["read"])
            self.receiver.trust.grant(H(r["spk"]), procedure, ["call"])
        wire = self._wire(procedure, None)
        served = next(((rid, s) for rid, s in self._key_services.items() if self._v2_regs.get(rid) == wire), None)
        if served is None:
            reg = await self.register(lambda *a, **k: None, wire)
            self._v2_regs[reg.id] = wire
            served = (reg.id, KeyService(self.receiver.trust))
            self._key_services[reg.id] = served[1]
        for g in keys:
            served[1].add(g)
        emit("serving", tag=cmd.get("tag"), procedure=procedure, wire_procedure=wire, registration=served[0],
             kids=[g.kid.hex() for g in keys])

    def serve_key(self, msg, o, exchange, carriage):
        """Answer one INVOCATION of a key service (already opened by the receiver)."""
        service = self._key_services[msg.registration]
        if o.passthrough:  # cannot happen on a v2 route; never hand out a key in the clear
            emit("key_refused", procedure=o.uri, error="wamp.error.not_authorized", reason="not sealed")
            return self.reply(msg, o, exchange, carriage, [], {}, error_uri="wamp.error.not_authorized")
        a = service.answer(o.author, o.args, o.kwargs)
        if a.error is not None:
            emit("key_refused", procedure=o.uri, error=a.error, **a.log)
            return self.reply(msg, o, exchange, carriage, [], {}, error_uri=a.error)
        emit("key_served", procedure=o.uri, **a.log)
        self.reply(msg, o, exchange, carriage, [], a.kwargs)

    # -- the fetching reader ----------------------------------------------------------------

    async def do_fetch_key(self, cmd):
        """Call a key.get service for ``kid`` on ``uri`` (sealed; signed as the session's first
        call), check the answer and add the key to this peer's group keys."""
        tag, asked = cmd.get("tag"), H(cmd["kid"])
        call = {"procedure": cmd["procedure"], "args": [], "kwargs": key_get_request(asked, cmd["uri"]),
                "tag": tag, "quiet": True}
        call.update({k: cmd[k] for k in ("carriage", "ser", "bucket") if k in cmd})
        fut = asyncio.get_running_loop().create_future()
        self.send_call(call, fut)
        r = await fut
        asked_fields = {"tag": tag, "kid": asked.hex(), "uri": cmd["uri"]}
        if isinstance(r, E2eError):
            return emit("key_fetch_failed", error=r.wamp_uri, refused=r.code, local=True, **asked_fields)
        if r.wamp == "ERROR":
            return emit("key_fetch_failed", error=r.uri, authenticated=r.authenticated, **asked_fields)
        try:
            g = check_key_reply(r.args, r.kwargs, asked)
        except E2eError as e:
            return emit("key_fetch_failed", error=e.wamp_uri, refused=e.code, local=True, **asked_fields)
        self.receiver.add_group_key(g)
        emit("key_fetched", scope=g.scope, not_after=g.not_after,
             writers=None if g.writers is None else [w.hex() for w in g.writers], **asked_fields)
