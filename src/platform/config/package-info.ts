import { readFileSync } from 'node:fs';
import * as path from 'node:path';

let cachedVersion: string | undefined;

/** The version in the project's package.json, found by walking up from this file (src/ or dist/src/). */
export function readPackageVersion(): string {
  if (cachedVersion) return cachedVersion;
  let dir = __dirname;
  for (let depth = 0; depth < 6; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'tradeplane' && pkg.version) {
        cachedVersion = pkg.version;
        return cachedVersion;
      }
    } catch {
      // no package.json at this level; keep walking up
    }
    dir = path.dirname(dir);
  }
  throw new Error('package.json of tradeplane not found above ' + __dirname);
}
