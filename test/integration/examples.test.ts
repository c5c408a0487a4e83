/**
 * The programs in examples/ run as users run them: `node examples/FILE URL REALM`, as child
 * processes against the shared router, importing the built packages (`npm run build` first).
 * Each must exit 0 and print what examples/README.md says it prints; a failure must exit 1.
 * The Python pairings run with the router venv's Python. The browser page is checked in
 * test/browser/examples-page.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runProcess } from './helpers';
import type { ProcessRun } from './helpers';
import { REPO_ROOT, routerInfo } from './router';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const BUILT_CLIENT = path.join(REPO_ROOT, 'packages', 'client', 'dist', 'esm', 'index.js');

/** Run `node examples/<file> ...args`; kill it after `timeoutMs`. */
function runExample(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
): Promise<ProcessRun> {
  return runProcess(process.execPath, [path.join(EXAMPLES, file), ...args], { env, timeoutMs });
}

/** Exit code 0, or a failure that shows what the example printed. */
function expectSuccess(run: ProcessRun, lastLine: string): void {
  if (run.code !== 0) {
    throw new Error(`exit code ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`);
  }
  expect(run.lines[run.lines.length - 1]).toBe(lastLine);
}

beforeAll(() => {
  if (!fs.existsSync(BUILT_CLIENT)) {
    throw new Error(`${BUILT_CLIENT} is missing: the examples import the built packages, run \`npm run build\` first`);
  }
});

test('node-rpc.mjs: plain, multiple and progressive results, an application error, a timeout', async () => {
  const { wsUrl, realm } = routerInfo();
  const run = await runExample('node-rpc.mjs', [wsUrl, realm]);
  expectSuccess(run, 'node-rpc: ok');
  expect(run.lines).toContain('add(2, 3) = 5');
  expect(run.lines).toContain('divide(7, 2) = [3,1] {"quotient":3.5}');
  expect(run.stdout).toMatch(
    /divide\(1, 0\) failed: com\.example\.rpc\.p\d+\.error\.division_by_zero \["cannot divide by zero"\]/,
  );
  expect(run.lines).toContain('countdown: 3, 2, 1, liftoff (final)');
  expect(run.lines).toContain('slow() gave up after 200 ms: ERR_TIMEOUT');
});

test('node-pubsub.mjs over WebSocket: a handler, a prefix subscription, an async iterator', async () => {
  const { wsUrl, realm } = routerInfo();
  const run = await runExample('node-pubsub.mjs', [wsUrl, realm]);
  expectSuccess(run, 'node-pubsub: ok');
  expect(run.stdout).toMatch(/^news: wampbox 0\.1\.0 is out \{"tags":\["release"\]\} \(publisher \d+\)$/m);
  expect(run.lines).toContain('alerts: alerts.cpu, alerts.disk');
  expect(run.lines).toContain('ticks: 1, 2, 3');
});

test('node-pubsub.mjs over RawSocket, with the URL and realm from the environment', async () => {
  const { rsUrl, realm } = routerInfo();
  const run = await runExample('node-pubsub.mjs', [], { WAMPBOX_URL: rsUrl, WAMPBOX_REALM: realm });
  expectSuccess(run, 'node-pubsub: ok');
  expect(run.lines[0]).toContain(`connected to ${rsUrl} (${realm})`);
});

test('reconnecting-connection.mjs: the connection comes back with its registration and subscription', async () => {
  const { wsUrl, realm } = routerInfo();
  const run = await runExample('reconnecting-connection.mjs', [wsUrl, realm]);
  expectSuccess(run, 'reconnecting-connection: ok');
  expect(run.lines).toContain('close: wamp.close.transport_lost, will reconnect');
  expect(run.stdout).toMatch(/^retry: attempt 1 in \d+ ms$/m);
  expect(run.lines.filter((l) => l.startsWith('open: session '))).toHaveLength(2);
  expect(run.stdout).toMatch(/^echo: after \(session \d+ -> \d+, registration restored\)$/m);
  expect(run.lines).toContain('event: received on the restored subscription');
});

test('e2ee-with-python.mjs: a sealed call and a sealed event between wampbox and Autobahn|Python', async () => {
  const { wsUrl, realm, venvPython } = routerInfo();
  const run = await runExample('e2ee-with-python.mjs', [wsUrl, realm], { E2EE_PYTHON: venvPython }, 100_000);
  expectSuccess(run, 'e2ee-with-python: ok');
  expect(run.lines).toContain('python: ready');
  expect(run.stdout).toMatch(
    /^python: call com\.example\.e2ee\.p\d+\.greet\('wampbox'\) arrived sealed \(cryptobox\)$/m,
  );
  expect(run.stdout).toMatch(/-> "Hello wampbox, this is Autobahn\|Python" \(sealed both ways\)$/m);
  expect(run.stdout).toMatch(
    /^python: event on com\.example\.e2ee\.p\d+\.news: 'end-to-end encrypted' \{'from': 'node'\} arrived sealed \(cryptobox\)$/m,
  );
}, 120_000);

test("e2ev2-with-python.mjs: a TypeScript writer, a Python reader, a reader's forgery refused as sender", async () => {
  const { wsUrl, realm, venvPython } = routerInfo();
  const run = await runExample('e2ev2-with-python.mjs', [wsUrl, realm], { E2EV2_PYTHON: venvPython }, 100_000);
  expectSuccess(run, 'e2ev2-with-python: ok');
  expect(run.stdout).toMatch(/^python: ready \(identity [0-9a-f]{8}\.\.\.\)$/m);
  expect(run.stdout).toMatch(
    /^python: event on com\.example\.e2ev2\.p\d+\.news: \['kick-off'\] \{'minute': 0\} signed by [0-9a-f]{8}\.\.\.$/m,
  );
  expect(run.stdout).toMatch(
    /^python: event on com\.example\.e2ev2\.p\d+\.news: \['goal'\] \{'minute': 17, 'score': '1-0'\}/m,
  );
  expect(run.stdout).toMatch(
    /^python: refused an event on com\.example\.e2ev2\.p\d+\.news: sender \(not delivered\)$/m,
  );
  expect(run.lines.filter((l) => l.startsWith('python: event'))).toHaveLength(2);
  expect(run.stdout).not.toMatch(/forged/);
  expect(run.stdout).toMatch(
    /^node: receipt from python on com\.example\.e2ev2\.p\d+\.receipts: 2 delivered, refused: sender$/m,
  );
}, 120_000);

test('typed-contracts.mjs: a typed call, an invalid call and an invalid event refused with paths only', async () => {
  const { wsUrl, realm } = routerInfo();
  const run = await runExample('typed-contracts.mjs', [wsUrl, realm]);
  expectSuccess(run, 'typed-contracts: ok');
  expect(run.lines).toContain('add(2, 3) = 5');
  expect(run.lines).toContain(
    'add(2, "three") refused: wamp.error.invalid_argument invalid call payload received for <ns>.add at args[1]',
  );
  expect(run.lines).toContain('order o-1: total 5.5 (note: none)');
  expect(run.lines).toContain('event dropped: ERR_PAYLOAD_INVALID at kwargs.items[0].price');
});

test('scrambled-uris.mjs: clear URIs in handlers and errors, tags on the wire', async () => {
  const { wsUrl, realm } = routerInfo();
  const run = await runExample('scrambled-uris.mjs', [wsUrl, realm]);
  expectSuccess(run, 'scrambled-uris: ok');
  expect(run.lines).toContain('event on <ns>orders.created: order o-1');
  expect(run.lines).toContain('the router routed <ns><tag>.<tag>');
  expect(run.lines).toContain('paid 42 via <ns>orders.pay');
  expect(run.lines).toContain('declined: <ns>error.declined (over the limit)');
});

test('an example that cannot do its job exits 1 and says why', async () => {
  const { wsUrl } = routerInfo();
  const run = await runExample('node-rpc.mjs', [wsUrl, 'com.example.no_such_realm']);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/^node-rpc: failed: ERR_JOIN_REFUSED: /m);
});
