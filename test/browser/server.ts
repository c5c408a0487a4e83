/**
 * A static HTTP server on 127.0.0.1 (a port the OS picks) for the browser tests:
 *
 * - `/dist/FILE`: the built CDN bundles (packages/client/dist/browser), source maps included;
 * - `/extra/FILE`: files a test adds with `addFile` (e.g. a control bundle built on the fly);
 * - `/harness/FILE`: the page scripts in test/browser/harness;
 * - `/esm-loader.js?bundle=FILE`: a module that imports an ESM bundle and sets `window.wampbox`;
 * - `/page.html?bundle=FILE[&csp=POLICY]`: a test page that loads the bundle (IIFE through a
 *   classic script, ESM through the loader module) and the harness, served with the
 *   `Content-Security-Policy` header POLICY when given. Every script is a file of this origin:
 *   no inline code, so a policy without 'unsafe-inline' applies.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const BUNDLE_DIR = path.join(REPO_ROOT, 'packages', 'client', 'dist', 'browser');
const HARNESS_DIR = path.join(__dirname, 'harness');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.wasm': 'application/wasm',
};

export interface StaticServer {
  /** e.g. http://127.0.0.1:PORT */
  readonly origin: string;
  /** URL of a test page loading `bundle`, optionally under a Content-Security-Policy. */
  pageUrl(bundle: string, csp?: string): string;
  /** Serve `contents` at /extra/NAME. */
  addFile(name: string, contents: string | Uint8Array): void;
  /** Paths requested so far (e.g. to check that a source map was fetched). */
  readonly requests: string[];
  close(): Promise<void>;
}

function isIife(bundle: string): boolean {
  return /\.iife(\.min)?\.js$/.test(bundle) || bundle.startsWith('extra:');
}

function pageHtml(bundle: string): string {
  const src = bundle.startsWith('extra:') ? `/extra/${bundle.slice(6)}` : `/dist/${bundle}`;
  const load = isIife(bundle)
    ? `<script src="${src}"></script>`
    : `<script type="module" src="/esm-loader.js?bundle=${encodeURIComponent(bundle)}"></script>`;
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>wampbox browser test</title>',
    '<script src="/harness/violations.js"></script>',
    load,
    '<script src="/harness/harness.js"></script>',
    '</head><body><p>wampbox browser test</p></body></html>',
    '',
  ].join('\n');
}

export async function startStaticServer(): Promise<StaticServer> {
  const extra = new Map<string, string | Uint8Array>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    const send = (status: number, type: string, body: string | Uint8Array, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
      res.end(body);
    };
    const sendFile = (dir: string, name: string) => {
      const file = path.join(dir, path.basename(name));
      if (!file.startsWith(dir) || !fs.existsSync(file)) return send(404, 'text/plain', `not found: ${url.pathname}`);
      return send(200, TYPES[path.extname(file)] ?? 'application/octet-stream', fs.readFileSync(file));
    };
    if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
    if (url.pathname === '/page.html') {
      const bundle = url.searchParams.get('bundle') ?? '';
      const csp = url.searchParams.get('csp');
      return send(200, TYPES['.html']!, pageHtml(bundle), csp ? { 'content-security-policy': csp } : {});
    }
    if (url.pathname === '/esm-loader.js') {
      const bundle = url.searchParams.get('bundle') ?? '';
      const src = `/dist/${encodeURIComponent(bundle)}`;
      return send(200, TYPES['.js']!, `import * as wampbox from '${src}';\nwindow.wampbox = wampbox;\n`);
    }
    if (url.pathname.startsWith('/dist/')) return sendFile(BUNDLE_DIR, url.pathname.slice(6));
    if (url.pathname.startsWith('/harness/')) return sendFile(HARNESS_DIR, url.pathname.slice(9));
    if (url.pathname.startsWith('/extra/')) {
      const body = extra.get(url.pathname.slice(7));
      if (body === undefined) return send(404, 'text/plain', 'not found');
      return send(200, TYPES[path.extname(url.pathname)] ?? 'application/octet-stream', body);
    }
    return send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    pageUrl(bundle, csp) {
      const q = new URLSearchParams({ bundle });
      if (csp) q.set('csp', csp);
      return `${origin}/page.html?${q.toString()}`;
    },
    addFile(name, contents) {
      extra.set(name, contents);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
