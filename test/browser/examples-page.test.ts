/**
 * examples/browser/index.html as a user opens it: from the file system, loading the built IIFE
 * bundle by its relative path, with the router's URL and realm in the query string. The page
 * must end with "Status: ok" and log each step, with no console error or uncaught error.
 */
import type { Browser } from 'playwright-core';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { routerInfo } from '../integration/router';
import { launchChromium, openPage } from './chromium';
import { REPO_ROOT } from './server';

jest.setTimeout(60_000);

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

test('examples/browser/index.html does RPC and PubSub against the router', async () => {
  const { wsUrl, realm } = routerInfo();
  const page = pathToFileURL(path.join(REPO_ROOT, 'examples', 'browser', 'index.html'));
  page.search = new URLSearchParams({ url: wsUrl, realm }).toString();
  const tp = await openPage(browser, page.href, { waitForBundle: false });
  try {
    await tp.page.waitForFunction(() => document.getElementById('status')?.textContent !== 'running', undefined, {
      timeout: 20_000,
    });
    const status = await tp.page.textContent('#status');
    const log = (await tp.page.textContent('#log')) ?? '';
    expect({ status, log }).toEqual({ status: 'ok', log: expect.any(String) });
    expect(log).toContain(`connected to ${wsUrl} (${realm}) as session `);
    expect(log).toContain('add(2, 3) = 5');
    expect(log).toContain('event: Hello from the browser');
    expect(log).toContain('call to a missing procedure: ERR_APPLICATION wamp.error.no_such_procedure');
    expect(tp.problems).toEqual([]);
  } finally {
    await tp.close();
  }
});
