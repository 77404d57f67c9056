import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** templates/ at the project root, from the sources (status/) and from the build (dist/status/). */
export function bundledTemplatesDir(): string {
  const fromSource = resolve(__dirname, '..', 'templates');
  return existsSync(fromSource) ? fromSource : resolve(__dirname, '..', '..', 'templates');
}
