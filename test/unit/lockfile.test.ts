// The committed lockfile must install anywhere with `npm ci` (npm 10 and 11, any OS): every optional
// platform binary a package lists is locked, every entry says where it came from, and no dependency
// needs a newer Node than `engines` promises.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<
    string,
    {
      version?: string;
      resolved?: string;
      link?: boolean;
      dev?: boolean;
      engines?: { node?: string };
      optionalDependencies?: Record<string, string>;
    }
  >;
};
const entries = Object.entries(lock.packages).filter(([k]) => k !== '');

/** Where npm would find `dep` from the package at `at` (its own node_modules, then each ancestor's). */
function locate(at: string, dep: string): string | undefined {
  for (let dir = at; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${dep}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return undefined;
  }
}

test('every optional dependency (the other platforms’ native binaries) is in the lockfile', () => {
  const missing = entries.flatMap(([at, p]) =>
    Object.keys(p.optionalDependencies ?? {})
      .filter((d) => !locate(at, d))
      .map((d) => `${at} → ${d}`),
  );
  expect(missing).toEqual([]);
  expect(locate('node_modules/@swc/core', '@swc/core-win32-x64-msvc')).toBeDefined();
  expect(locate('node_modules/@swc/core', '@swc/core-darwin-arm64')).toBeDefined();
});

test('every registry entry carries its resolved URL (no machine setting leaks into the lockfile)', () => {
  expect(entries.filter(([, p]) => !p.link && !p.resolved).map(([k]) => k)).toEqual([]);
});

/** Does one alternative of an engines range (`>=20.18.1`, `^20.9.0`, `20`, `*`) accept Node major.minor? */
function accepts(range: string, major: number, minor: number): boolean {
  return range.split('||').some((alt) => {
    const m = /^(>=|\^)?\s*(\d+)(?:\.(\d+))?/.exec(alt.trim());
    if (!m) return true;
    const [maj, min] = [Number(m[2]), Number(m[3] ?? 0)];
    if (m[1] === '>=') return maj < major || (maj === major && min <= minor);
    return maj === major && min <= minor;
  });
}

test('no runtime dependency needs a newer Node than engines.node', () => {
  const [major, minor] = /^>=\s*(\d+)\.(\d+)/.exec(pkg.engines.node)!.slice(1, 3).map(Number);
  expect(accepts('>=22', major, minor)).toBe(false); // what cookie@2 asked for
  expect(accepts('^18.18.0 || ^20.9.0 || >=21.1.0', major, minor)).toBe(true);
  const tooNew = entries.filter(([, p]) => !p.dev && p.engines?.node && !accepts(p.engines.node, major, minor));
  expect(tooNew.map(([k, p]) => `${k}: ${p.engines?.node}`)).toEqual([]);
});
