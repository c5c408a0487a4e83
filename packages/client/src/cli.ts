#!/usr/bin/env node
/**
 * The `wampbox` command line: `wampbox keygen` prints cryptobox key pairs and E2E v2 keys and key packages.
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { runCli } from '@wampbox/cryptobox/internal';

const io = {
  out: (line: string) => console.log(line),
  err: (line: string) => console.error(line),
  readFile: (path: string) => readFile(path, 'utf8'),
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`wampbox: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
