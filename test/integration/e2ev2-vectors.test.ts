/**
 * The `x_e2ev2` vectors the other way: the TypeScript implementation writes the vectors file from
 * the same fixed inputs as the committed one (written by the independent Python implementation),
 * the Python verifier (test/interop/python/e2ev2/verify_vectors.py, run with the router venv's
 * Python) checks it, and the two files are compared byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sodiumReady } from '../../packages/cryptobox/src/sodium';
import { sodiumV2Ready } from '../../packages/cryptobox/src/sodium-v2';
import { generateVectors } from '../../packages/cryptobox/test/e2ev2/generate-vectors';
import { loadVectors, VECTORS_PATH } from '../../packages/cryptobox/test/e2ev2/vectors-file';
import { REPO_ROOT, routerInfo } from './router';

const VERIFIER = join(REPO_ROOT, 'test', 'interop', 'python', 'e2ev2', 'verify_vectors.py');

let dir: string;
let generated: string;

beforeAll(async () => {
  await Promise.all([sodiumReady(), sodiumV2Ready()]);
  dir = mkdtempSync(join(tmpdir(), 'wampbox-e2ev2-'));
  generated = generateVectors(loadVectors());
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function verify(text: string, name: string): { status: number | null; output: string } {
  const path = join(dir, name);
  writeFileSync(path, text);
  const r = spawnSync(routerInfo().venvPython, [VERIFIER, path], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('x_e2ev2 vectors written by TypeScript', () => {
  it('pass the Python verifier', () => {
    const { status, output } = verify(generated, 'typescript-vectors.json');
    process.stdout.write(`${output.trim()}\n`);
    expect(output).toMatch(
      /49 messages re-sealed, 144 scenarios \(181 steps, 96 refusals\), 45 primitive cases.*9 key-material cases; 0 failure/s,
    );
    expect(status).toBe(0);
  });

  it('fail it when one payload byte is wrong (the verifier does check what it is given)', () => {
    const v = JSON.parse(generated) as { messages: { outputs: { payload: string } }[] };
    const p = v.messages[0]!.outputs.payload;
    v.messages[0]!.outputs.payload = `${p.slice(0, -2)}${p.endsWith('00') ? '01' : '00'}`;
    expect(verify(JSON.stringify(v, null, 1), 'corrupted.json').status).toBe(1);
  });

  it('are byte for byte the committed Python file, but for the generator fields and how Python spells one float', () => {
    const python = readFileSync(VECTORS_PATH, 'utf8');
    const ts = JSON.parse(generated) as Record<string, unknown>;
    const normalized = JSON.parse(python) as Record<string, unknown>;
    normalized['generator'] = ts['generator'];
    normalized['generated_with'] = ts['generated_with'];
    // JSON.stringify with an indent of 1 writes what Python's json.dump(indent=1) does, except that
    // Python keeps a float's ".0": the one such value is `1.0` in the expectation of any-valid-json,
    // whose plaintext carries `1.0e0` (JavaScript has one number type and writes 1)
    const rewritten = `${JSON.stringify(normalized, null, 1)}\n`;
    expect(generated).toBe(rewritten);
    const oneFloatRespelled = python.replace(/^( *)1\.0$/m, '$11');
    expect(oneFloatRespelled).not.toBe(python);
    expect(`${JSON.stringify(JSON.parse(python), null, 1)}\n`).toBe(oneFloatRespelled);
  });
});
