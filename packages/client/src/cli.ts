#!/usr/bin/env node
/**
 * The `wampbox` command line: `wampbox keygen` prints a cryptobox key pair.
 * @packageDocumentation
 */
import { runCli } from '@wampbox/cryptobox/internal';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`wampbox: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
