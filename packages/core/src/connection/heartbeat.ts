/**
 * Dead-peer detection: after a quiet interval (no frame from the router), check that the router
 * still answers ({@link Session.ping}); without an answer in time, abandon the session so that
 * the connection reconnects.
 */
import { SessionClosedError } from '../errors.js';
import type { Session } from '../session/session.js';
import type { HeartbeatOptions } from './options.js';

/**
 * Watch `session` as `options` say (default: check after 30 s without a frame, give up after
 * 10 s more). `onDead` hears why the session was abandoned. Returns a function that stops watching.
 */
export function startHeartbeat(
  session: Session,
  options: HeartbeatOptions | false | undefined,
  onDead: (err: Error) => void,
): () => void {
  if (options === false) return () => undefined;
  const intervalMs = options?.intervalMs ?? 30000;
  const timeoutMs = options?.timeoutMs ?? 10000;
  if (!(intervalMs > 0)) return () => undefined;
  let seen = session.framesReceived;
  let probing = false;
  const timer = setInterval(() => {
    if (probing || !session.isOpen) return;
    if (session.framesReceived !== seen) {
      seen = session.framesReceived;
      return;
    }
    probing = true;
    session.ping(timeoutMs).then(
      () => {
        probing = false;
        seen = session.framesReceived;
      },
      (e: unknown) => {
        probing = false;
        if (!session.isOpen) return;
        const message = `router did not answer a liveness check within ${timeoutMs} ms`;
        onDead(new SessionClosedError('wamp.close.transport_lost', message, { code: 'ERR_CONNECTION_LOST', cause: e }));
        session.abort('router unresponsive');
      },
    );
  }, intervalMs);
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}
