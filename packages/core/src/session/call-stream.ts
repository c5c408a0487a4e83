/** A call whose input goes out in chunks (progressive call invocations): the writer of its CALLs. */
import { InvalidArgumentError } from '../errors.js';
import { checkPayload } from '../protocol/option-checks.js';
import { rejected } from '../protocol/checks.js';
import type { Dict } from '../protocol/messages.js';
import type { CallResult, CallStream } from '../types.js';
import type { ChunkSender } from './caller.js';

/** Not part of the public API (not exported by the package). */
export class CallStreamImpl implements CallStream {
  declare readonly result: Promise<CallResult>;
  /** Sends the next chunk (set as the first CALL goes out). */
  declare private sender_: ChunkSender;
  declare private ended_: boolean;

  /** `start` sends the first chunk and hands over what sends the next ones. */
  constructor(start: (stream: (send: ChunkSender) => void) => Promise<CallResult>) {
    this.ended_ = false;
    this.result = start((send) => (this.sender_ = send));
    // a failure reaches the application through write(), end() or result: never as unhandled
    this.result.catch(() => undefined);
  }

  write(args?: unknown[], kwargs?: Dict): void {
    this.send_(args, kwargs, true);
  }

  end(args?: unknown[], kwargs?: Dict): Promise<CallResult> {
    try {
      this.send_(args, kwargs, false);
    } catch (e) {
      return rejected(e);
    }
    return this.result;
  }

  /** Check and send one chunk; throws why it cannot go out. */
  private send_(args: unknown[] | undefined, kwargs: Dict | undefined, progress: boolean): void {
    checkPayload(args, kwargs);
    if (this.ended_) throw new InvalidArgumentError('the call stream has already ended');
    const err = this.sender_(args, kwargs, progress);
    if (err) throw err;
    if (!progress) this.ended_ = true;
  }
}

/**
 * A call stream whose session is not open yet (a `Connection` while it reconnects): the chunks
 * written meanwhile go out in order once `opening` gives the stream; after that, this forwards.
 * Not part of the public API.
 */
export function laterStream(opening: Promise<CallStream>): CallStream {
  let stream: CallStream | undefined;
  let ended = false;
  let failure: unknown;
  const result = opening.then((s) => (stream = s).result);
  result.catch((e: unknown) => (failure = e));
  const send = (args: unknown[] | undefined, kwargs: Dict | undefined, last: boolean): void => {
    checkPayload(args, kwargs);
    if (failure !== undefined) throw failure as Error;
    if (ended) throw new InvalidArgumentError('the call stream has already ended');
    ended = last;
    // a chunk refused here fails the call: result says why
    opening.then<unknown>((s) => (last ? s.end(args, kwargs) : s.write(args, kwargs))).catch(() => undefined);
  };
  return {
    result,
    write: (args, kwargs) => (stream ? stream.write(args, kwargs) : send(args, kwargs, false)),
    end: (args, kwargs) => {
      if (stream) return stream.end(args, kwargs);
      try {
        send(args, kwargs, true);
      } catch (e) {
        return rejected(e);
      }
      return result;
    },
  };
}
