import * as fs from 'node:fs';
import * as path from 'node:path';
import { VERSION } from '../../src/index';
import { AGENT } from '../../src/internal';

describe('VERSION', () => {
  it('is the version of the @wampbox/core package (written by the build), and HELLO announces it', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    expect(VERSION).toBe(pkg.version);
    expect(AGENT).toBe(`wampbox-js/${pkg.version}`);
  });

  it('is the same in every package of the repository', () => {
    for (const name of ['core', 'cryptobox', 'contracts', 'client']) {
      const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, `../../../${name}/package.json`), 'utf8')) as {
        version: string;
      };
      expect(`${name} ${pkg.version}`).toBe(`${name} ${VERSION}`);
    }
  });
});
