import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The product version: server/package.json, found at the same depth from src/ and from dist/. */
export const APP_VERSION: string = (() => {
  try {
    return String(JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).version);
  } catch {
    return 'unknown';
  }
})();
