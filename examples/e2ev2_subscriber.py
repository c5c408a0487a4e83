#!/usr/bin/env python3
"""The Python side of examples/e2ev2-with-python.mjs: a subscriber with reading rights.

It is built on the repository's Python implementation of E2E v2 (x_e2ev2), the one the interop
tests use (test/interop/python/e2ev2/, on PyNaCl; not a published package), and imports its
modules from there. Autobahn|Python carries the messages; this script opens and seals the payloads:

- it subscribes to PREFIX + "news" and opens every event itself. An event is delivered only when
  it is sealed with a group key it holds and signed by an identity that its trust store grants
  `publish` on the topic. Anything else is refused with the name of the check that failed: a
  reader that holds the group key but signs with its own identity gets `sender`;
- after two delivered events and one refusal, it publishes a receipt on PREFIX + "receipts",
  sealed with the group key and signed with its own identity (the TypeScript side grants it
  `publish` there), and exits 0; 1 on failure, 2 after 60 s without them.

The configuration is JSON in the environment variable E2EV2_CONFIG, binary values in hex as
`wampbox keygen identity` (seed, sign_pk) and `wampbox keygen group-key` (key) print them; the
field names are those of the live peer (test/interop/python/e2ev2/README.md, "Configuration"):

    {"seed": "<this subscriber's seed>",
     "group_keys": [{"key": "<the group key>", "scope": "com.example.e2ev2."}],
     "trust": [{"spk": "<the writer's sign_pk>", "prefix": "com.example.e2ev2.news", "roles": ["publish"]}]}

It prints "python: ready" once subscribed, then one line per event. Run it with the router venv's
Python (PyNaCl and Autobahn|Python):

    E2EV2_CONFIG="$(cat reader.json)" \\
      node scripts/router/router.mjs python examples/e2ev2_subscriber.py URL REALM PREFIX
"""

import asyncio
import json
import os
import sys
from urllib.parse import urlparse

# The repository's x_e2ev2 implementation.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "interop", "python", "e2ev2"))

import txaio  # noqa: E402

txaio.use_asyncio()

from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp import message  # noqa: E402
from autobahn.wamp.types import ComponentConfig  # noqa: E402

from e2ev2 import E2eError, Envelope, GroupKey, Identity, Receiver, Sender, TrustStore  # noqa: E402

H = bytes.fromhex


def say(line):
    print(f"python: {line}", flush=True)


class Subscriber(ApplicationSession):
    def __init__(self, config, prefix, cfg, done):
        super().__init__(config)
        self.prefix, self.done = prefix, done
        # Who this side is: an Ed25519 identity (it signs the receipt with it).
        self.identity = Identity(H(cfg["seed"]))
        # Writing rights: who may publish on which prefix. Reading rights: the group keys it holds.
        trust = TrustStore((H(g["spk"]), g["prefix"], g["roles"]) for g in cfg["trust"])
        self.group_keys = [GroupKey(H(g["key"]), g["scope"]) for g in cfg["group_keys"]]
        self.receiver = Receiver(trust=trust, group_keys=self.group_keys)
        self.sender = Sender(self.identity)
        self.sub_id = None
        self.delivered, self.refused = [], []
        self.receipt_ack = None

    async def onJoin(self, details):
        # Autobahn does the subscribing; the events of this subscription are opened in onMessage.
        sub = await self.subscribe(lambda *a, **kw: None, self.prefix + "news")
        self.sub_id = sub.id
        say(f"ready (identity {self.identity.pk.hex()[:8]}...)")

    def onMessage(self, msg):
        if isinstance(msg, message.Event) and msg.subscription == self.sub_id:
            return self.on_event(msg, msg.topic or self.prefix + "news")
        if isinstance(msg, message.Published) and self.receipt_ack and msg.request == self.receipt_ack[0]:
            return self.receipt_ack[1].set_result(msg.publication)
        super().onMessage(msg)

    def on_event(self, msg, topic):
        # Sealed events carry enc_algo "x_e2ev2"; plaintext on this topic is refused (`downgrade`).
        if msg.enc_algo:
            envelope = Envelope.transparent(msg.payload, msg.enc_serializer, msg.enc_key, msg.enc_algo)
        else:
            envelope = Envelope.plain(msg.args, msg.kwargs)
        try:
            opened = self.receiver.open("EVENT", topic, envelope)
        except E2eError as e:
            self.refused.append(e.code)
            say(f"refused an event on {topic}: {e.code} (not delivered)")
        else:
            self.delivered.append(opened.args)
            say(f"event on {topic}: {opened.args} {opened.kwargs} signed by {opened.author.hex()[:8]}...")
        if len(self.delivered) >= 2 and len(self.refused) >= 1 and self.receipt_ack is None:
            asyncio.ensure_future(self.send_receipt())

    async def send_receipt(self):
        try:
            topic = self.prefix + "receipts"
            receipt = {"delivered": len(self.delivered), "refused": self.refused}
            sealed = self.sender.publish(topic, [], receipt, group_key=self.group_keys[0])
            opts = sealed.options("autobahn")  # enc_algo, enc_serializer, enc_key
            request = self._request_id_gen.next()
            self.receipt_ack = (request, asyncio.get_running_loop().create_future())
            self._transport.send(message.Publish(request, topic, acknowledge=True, payload=sealed.payload, **opts))
            await asyncio.wait_for(self.receipt_ack[1], 10)
            say(f"published a receipt on {topic}: {receipt} (sealed, signed)")
            self.done.set_result(0)
        except Exception as e:
            say(f"failed to publish the receipt: {type(e).__name__}: {e}")
            self.done.set_result(1)

    def onDisconnect(self):
        if not self.done.done():
            self.done.set_result(1)


async def main(url, realm, prefix):
    cfg = json.loads(os.environ["E2EV2_CONFIG"])
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    session = Subscriber(ComponentConfig(realm=realm), prefix, cfg, done)
    factory = WampWebSocketClientFactory(lambda: session, url=url)
    parsed = urlparse(url)
    await loop.create_connection(factory, parsed.hostname, parsed.port or 80)
    try:
        code = await asyncio.wait_for(done, 60)
    except asyncio.TimeoutError:
        say("not two events and one refusal within 60 s")
        code = 2
    if session.is_attached():
        await session.leave()
    return code


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: e2ev2_subscriber.py URL REALM PREFIX   (configuration in E2EV2_CONFIG)")
    try:
        sys.exit(asyncio.run(main(*sys.argv[1:])))
    except Exception as e:  # a bad configuration, an unreachable router, ...
        say(f"failed: {type(e).__name__}: {e}")
        sys.exit(1)
