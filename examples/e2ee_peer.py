#!/usr/bin/env python3
"""The Autobahn|Python side of examples/e2ee-with-python.mjs.

It holds the responder keys of a URI prefix, so it can open what the Node side (the
originator: caller and publisher) seals for it, and seal its answers:

- it registers PREFIX + "greet" (a callee) and subscribes to PREFIX + "news" (a subscriber);
- the keys come from the environment, standard base64 as `npx wampbox keygen --pair` prints
  them: E2EE_RESPONDER_SECRET (this side's secret key) and E2EE_ORIGINATOR_PUBLIC (the Node
  side's public key);
- it prints "python: ready" once registered and subscribed, one line per call and event, and
  exits 0 after one call and one event, 1 on failure, 2 after 60 s without them.

Run it with the router venv's Python (Autobahn|Python with cryptobox support):

    node scripts/router/router.mjs python examples/e2ee_peer.py URL REALM PREFIX
"""

import asyncio
import os
import sys
from urllib.parse import urlparse

import txaio

txaio.use_asyncio()

from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp.cryptobox import Key, KeyRing  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.types import ComponentConfig, RegisterOptions, SubscribeOptions  # noqa: E402


def say(line):
    print(f"python: {line}", flush=True)


def require_sealed(details, what):
    # Autobahn accepts plaintext on a keyed URI (wampbox's strict mode refuses it), so a
    # responder that must only act on sealed payloads checks enc_algo itself.
    if details.enc_algo != "cryptobox":
        raise ApplicationError("com.example.error.plaintext_refused", f"{what} arrived in plaintext")


class Responder(ApplicationSession):
    def __init__(self, config, prefix, keyring, done):
        super().__init__(config)
        self.prefix = prefix
        self.keyring = keyring
        self.done = done
        self.calls = 0
        self.events = 0

    def onConnect(self):
        # The key ring is this session's payload codec: keyed URIs are sealed and opened.
        self.set_payload_codec(self.keyring)
        self.join(self.config.realm)

    async def onJoin(self, details):
        def greet(name, details=None):
            require_sealed(details, "the call")
            self.calls += 1
            say(f"call {details.procedure}({name!r}) arrived sealed ({details.enc_algo})")
            self.check_done()
            return f"Hello {name}, this is Autobahn|Python"  # sealed on the way back

        def on_news(headline, details=None, **kwargs):
            try:
                require_sealed(details, "the event")
            except ApplicationError as e:
                say(f"refused: {e}")
                return
            self.events += 1
            say(f"event on {details.topic}: {headline!r} {kwargs} arrived sealed ({details.enc_algo})")
            self.check_done()

        await self.register(greet, self.prefix + "greet", options=RegisterOptions(details_arg="details"))
        await self.subscribe(on_news, self.prefix + "news", options=SubscribeOptions(details_arg="details"))
        say("ready")

    def check_done(self):
        if self.calls >= 1 and self.events >= 1 and not self.done.done():
            # leave a moment later, so that the answer to the call goes out first
            asyncio.get_running_loop().call_later(0.2, self.done.set_result, 0)

    def onDisconnect(self):
        if not self.done.done():
            self.done.set_result(1)


async def main(url, realm, prefix):
    # Autobahn's Key takes base64. The responder holds its secret key and the originator's public key.
    keyring = KeyRing()
    keyring.set_key(
        prefix,
        Key(
            responder_priv=os.environ["E2EE_RESPONDER_SECRET"],
            originator_pub=os.environ["E2EE_ORIGINATOR_PUBLIC"],
        ),
    )

    loop = asyncio.get_running_loop()
    done = loop.create_future()
    session = Responder(ComponentConfig(realm=realm), prefix, keyring, done)
    factory = WampWebSocketClientFactory(lambda: session, url=url)
    parsed = urlparse(url)
    await loop.create_connection(factory, parsed.hostname, parsed.port or 80)
    try:
        code = await asyncio.wait_for(done, 60)
    except asyncio.TimeoutError:
        say("no call and event within 60 s")
        code = 2
    if session.is_attached():
        await session.leave()
    return code


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: e2ee_peer.py URL REALM PREFIX")
    try:
        sys.exit(asyncio.run(main(*sys.argv[1:])))
    except Exception as e:  # a bad key, an unreachable router, ...
        say(f"failed: {type(e).__name__}: {e}")
        sys.exit(1)
