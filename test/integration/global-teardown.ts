/** jest globalTeardown of the `integration` project: stops the router started by global-setup.ts. */
export default async function globalTeardown(): Promise<void> {
  const handle = globalThis.__WAMPBOX_ROUTER__;
  if (!handle) return;
  globalThis.__WAMPBOX_ROUTER__ = undefined;
  delete process.env.WAMPBOX_ROUTER_INFO;
  await handle.stop();
}
