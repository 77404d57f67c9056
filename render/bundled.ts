// Where the bundled templates/ folder is: beside render/ when running from the sources, two levels up
// when running from the build (dist/render/), where the Docker image also puts it. The one place that
// knows this layout.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

function findBundled(): string {
  const fromSource = resolve(__dirname, '..', 'templates');
  return existsSync(fromSource) ? fromSource : resolve(__dirname, '..', '..', 'templates');
}

export const BUNDLED_TEMPLATES_DIR = findBundled();
