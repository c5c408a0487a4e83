/**
 * `wampbox keygen`: make X25519 key pairs for cryptobox and print them in the forms both
 * wampbox's `KeyRing` and Autobahn|Python's `Key(...)` take; and, with a kind, the keys and key
 * packages of E2E v2 (cli-e2e.ts).
 */
import { InvalidArgumentError } from '@wampbox/core';
import { E2E_KINDS, E2E_USAGE, runE2eKeygen } from './cli-e2e.js';
import { generateKeyPair, type KeyPair } from './keys.js';

/** Where the CLI writes; defaults to the console. */
export interface CliIo {
  /** Write one line of output (standard output by default). */
  out: (line: string) => void;
  /** Write one line of diagnostics (standard error by default). */
  err: (line: string) => void;
  /** Read a text file (key files of the E2E v2 kinds); without it those kinds cannot read files. */
  readFile?: ((path: string) => Promise<string>) | undefined;
}

const defaultIo: CliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

const USAGE = `usage: wampbox keygen [--pair] [--json]

Make X25519 key pairs for cryptobox end-to-end payload encryption.

  (no option)  one key pair, with hints for using it as originator or responder
  --pair       an originator pair and a responder pair, with the configuration of both sides
  --json       machine-readable output (base64 and hex)
  -h, --help   this text

${E2E_USAGE}`;

/**
 * Run the cryptobox CLI. `argv` holds the arguments after the program name, e.g.
 * `['keygen', '--pair']`. Resolves with the process exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2));
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'keygen') {
    io.err(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  const kind = rest[0];
  if (kind !== undefined && E2E_KINDS.has(kind)) {
    try {
      return await runE2eKeygen(kind, rest.slice(1), io);
    } catch (e) {
      if (!(e instanceof InvalidArgumentError)) throw e;
      io.err(`${e.message}\n\n${USAGE}`);
      return 2;
    }
  }
  let pair = false;
  let json = false;
  for (const arg of rest) {
    if (arg === '--pair') pair = true;
    else if (arg === '--json') json = true;
    else if (arg === '-h' || arg === '--help') {
      io.out(USAGE);
      return 0;
    } else {
      io.err(`unknown option "${arg}"\n\n${USAGE}`);
      return 2;
    }
  }

  if (!pair) {
    const kp = await generateKeyPair();
    if (json) {
      io.out(JSON.stringify(textForms(kp), null, 2));
      return 0;
    }
    io.out(
      [
        '# A new X25519 key pair for cryptobox. Keep the secret key secret; hand out the public key.',
        `secret key (base64): ${kp.secretKeyBase64}`,
        `public key (base64): ${kp.publicKeyBase64}`,
        `secret key (hex):    ${kp.secretKeyHex}`,
        `public key (hex):    ${kp.publicKeyHex}`,
        '',
        "# As the originator (publisher / caller), with the responder's public key:",
        `#   wampbox:  ring.setKey('com.myapp.encrypted.', { originatorPriv: '${kp.secretKeyBase64}', responderPub: '<responder public key>' })`,
        `#   Autobahn: Key(originator_priv='${kp.secretKeyBase64}', responder_pub='<responder public key>')`,
        "# As the responder (subscriber / callee), with the originator's public key:",
        `#   wampbox:  ring.setKey('com.myapp.encrypted.', { responderPriv: '${kp.secretKeyBase64}', originatorPub: '<originator public key>' })`,
        `#   Autobahn: Key(responder_priv='${kp.secretKeyBase64}', originator_pub='<originator public key>')`,
        '# As one key shared by every side (both roles, every URI):',
        `#   wampbox:  new KeyRing('${kp.secretKeyBase64}')`,
        `#   Autobahn: KeyRing('${kp.secretKeyBase64}')`,
      ].join('\n'),
    );
    return 0;
  }

  const originator = await generateKeyPair();
  const responder = await generateKeyPair();
  if (json) {
    io.out(JSON.stringify({ originator: textForms(originator), responder: textForms(responder) }, null, 2));
    return 0;
  }
  io.out(
    [
      '# Two X25519 key pairs for one URI prefix: the originator side (publishers / callers) and',
      '# the responder side (subscribers / callees). Each side gets its own secret key and the',
      "# other side's public key.",
      `originator secret key (base64): ${originator.secretKeyBase64}`,
      `originator public key (base64): ${originator.publicKeyBase64}`,
      `responder secret key (base64):  ${responder.secretKeyBase64}`,
      `responder public key (base64):  ${responder.publicKeyBase64}`,
      `originator secret key (hex):    ${originator.secretKeyHex}`,
      `originator public key (hex):    ${originator.publicKeyHex}`,
      `responder secret key (hex):     ${responder.secretKeyHex}`,
      `responder public key (hex):     ${responder.publicKeyHex}`,
      '',
      '# Originator side (publisher / caller):',
      `#   wampbox:  ring.setKey('com.myapp.encrypted.', { originatorPriv: '${originator.secretKeyBase64}', responderPub: '${responder.publicKeyBase64}' })`,
      `#   Autobahn: keyring.set_key('com.myapp.encrypted.', Key(originator_priv='${originator.secretKeyBase64}', responder_pub='${responder.publicKeyBase64}'))`,
      '# Responder side (subscriber / callee):',
      `#   wampbox:  ring.setKey('com.myapp.encrypted.', { responderPriv: '${responder.secretKeyBase64}', originatorPub: '${originator.publicKeyBase64}' })`,
      `#   Autobahn: keyring.set_key('com.myapp.encrypted.', Key(responder_priv='${responder.secretKeyBase64}', originator_pub='${originator.publicKeyBase64}'))`,
    ].join('\n'),
  );
  return 0;
}

function textForms(kp: KeyPair): Record<string, string> {
  return {
    secretKeyBase64: kp.secretKeyBase64,
    publicKeyBase64: kp.publicKeyBase64,
    secretKeyHex: kp.secretKeyHex,
    publicKeyHex: kp.publicKeyHex,
  };
}
