// The page's application code: RPC and PubSub with the `wampbox` global of the IIFE bundle.
// Each step is written into the page; #status ends as "ok" or "failed: ...".
(async () => {
  const params = new URLSearchParams(location.search);
  const url = params.get('url') || 'ws://127.0.0.1:8080/ws';
  const realm = params.get('realm') || 'realm1';
  const ns = `com.example.browser.r${Math.floor(Math.random() * 1e9)}`;
  const log = (line) => {
    document.getElementById('log').textContent += `${line}\n`;
  };
  const status = (text) => {
    document.getElementById('status').textContent = text;
  };

  if (typeof wampbox === 'undefined') {
    status('failed: the bundle did not load (run `npm run bundle`, or use the CDN line in index.html)');
    return;
  }
  let session;
  try {
    // In browsers connect() offers JSON unless you pass `serializers`.
    session = await wampbox.connect({ url, realm });
    log(`connected to ${url} (${realm}) as session ${session.id} (${session.serializer})`);

    await session.register(`${ns}.add`, (inv) => inv.args[0] + inv.args[1]);
    const res = await session.call(`${ns}.add`, [2, 3]);
    log(`add(2, 3) = ${res.args[0]}`);

    let onHello;
    const got = new Promise((resolve) => {
      onHello = resolve;
    });
    await session.subscribe(`${ns}.hello`, (ev) => onHello(ev));
    // The router does not send an event back to its publisher unless excludeMe is false.
    await session.publish(`${ns}.hello`, ['Hello from the browser'], {}, { acknowledge: true, excludeMe: false });
    const ev = await got;
    log(`event: ${ev.args[0]}`);

    try {
      await session.call(`${ns}.missing`);
    } catch (e) {
      // Typed errors: an ApplicationError carries the WAMP error URI.
      log(`call to a missing procedure: ${e.code} ${e.uri}`);
    }

    await session.close();
    status('ok');
  } catch (e) {
    status(`failed: ${e.code || e.name}: ${e.message}`);
    if (session) session.abort();
  }
})();
