/** The options of joining a realm, and the CHALLENGE callback. */
import type { Logger } from '../logger.js';
import type { Dict } from '../protocol/messages.js';
import type { PayloadCodec } from '../payload/payload-codec.js';
import type { UriRules } from '../protocol/uri.js';

/**
 * Answer to a CHALLENGE: the signature string, or an object with the `signature` and `extra`
 * fields to send in AUTHENTICATE.
 */
export type ChallengeResponse =
  string | { /** The signature (or ticket). */ signature: string; /** Extra AUTHENTICATE details. */ extra?: Dict };

/** Computes the answer to a CHALLENGE. */
export type ChallengeHandler = (method: string, extra: Dict) => ChallengeResponse | Promise<ChallengeResponse>;

/** Options for joining a realm. */
export interface JoinOptions {
  /** The realm to join. */
  realm: string;
  /** Payload codec. Default: {@link passthrough}. */
  codec?: PayloadCodec | undefined;
  /** Authentication methods to offer, e.g. `['ticket']`. Default: none (anonymous). */
  authmethods?: string[] | undefined;
  /** The authentication id. */
  authid?: string | undefined;
  /** The requested authentication role. */
  authrole?: string | undefined;
  /** Extra authentication data (e.g. `pubkey` for cryptosign). */
  authextra?: Dict | undefined;
  /** Answers CHALLENGE messages. Required when a challenge-response method is offered. */
  onChallenge?: ChallengeHandler | undefined;
  /** How long to wait for the router's GOODBYE reply on close. Default 5000 ms. */
  closeTimeoutMs?: number | undefined;
  /** Give up joining after this many milliseconds. Default 15000 ms. */
  joinTimeoutMs?: number | undefined;
  /** Where log lines go. Default: nowhere. */
  logger?: Logger | undefined;
  /** Log every message sent and received (type, id, URI; never payloads) at level `trace`. */
  trace?: boolean | undefined;
  /**
   * Refuse to send (with `ERR_BACKPRESSURE`) while more than this many bytes wait in the
   * transport's send buffer. Default 16 MiB.
   */
  maxBufferedBytes?: number | undefined;
  /** {@link Session.drain} resolves once the send buffer is at or below this many bytes. Default 1 MiB. */
  highWaterMarkBytes?: number | undefined;
  /**
   * Which WAMP URI rules the URIs this session sends are checked against before they go out:
   * `loose` (the default: no empty components, no whitespace or `#`) or `strict` (only `a-z`,
   * `0-9`, `_`). A URI that breaks them is refused with `ERR_INVALID_ARGUMENT`.
   */
  uriRules?: UriRules | undefined;
  /**
   * The clock payload codecs get (`PayloadContext.now`, milliseconds since the Unix epoch), for
   * their freshness checks. Default `Date.now`; tests inject a fixed one.
   */
  clock?: (() => number) | undefined;
}
