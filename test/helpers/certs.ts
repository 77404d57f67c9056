// Throwaway X.509 certificates made with openssl at test time: a private CA and leaf certificates for
// 127.0.0.1 with chosen validity windows (valid, expiring in days, already expired) — what a provider's
// endpoint presents. `openssl ca` is used because it takes explicit start and end dates.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Leaf {
  key: Buffer;
  cert: Buffer;
  notAfter: Date;
}

const stamp = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`; // YYYYMMDDHHMMSSZ

export function createTestCa() {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-ca-'));
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = test',
      '[test]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'serial = $dir/serial',
      'new_certs_dir = $dir',
      'certificate = $dir/ca.pem',
      'private_key = $dir/ca.key',
      'default_md = sha256',
      'policy = any',
      'unique_subject = no',
      'copy_extensions = none',
      '[any]',
      'commonName = supplied',
      '[leaf]',
      'subjectAltName = IP:127.0.0.1',
      'basicConstraints = CA:FALSE',
      'keyUsage = digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth',
      '',
    ].join('\n'),
  );
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=lifeline test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  ]);
  let n = 0;
  return {
    caFile: join(dir, 'ca.pem'),
    ca: readFileSync(join(dir, 'ca.pem')),
    /** A leaf for 127.0.0.1 signed by this CA, valid from `notBefore` to `notAfter`. */
    leaf(notBefore: Date, notAfter: Date): Leaf {
      const name = `leaf${++n}`;
      openssl([
        'req',
        '-new',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
      ]);
      openssl([
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        '-extensions',
        'leaf',
        '-startdate',
        stamp(notBefore),
        '-enddate',
        stamp(notAfter),
        '-in',
        `${name}.csr`,
        '-out',
        `${name}.pem`,
        '-notext',
      ]);
      return { key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.pem`)), notAfter };
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A self-signed certificate for 127.0.0.1 that no CA vouches for. */
export function selfSigned(): Leaf {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-self-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '30',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        'k.pem',
        '-out',
        'c.pem',
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return {
      key: readFileSync(join(dir, 'k.pem')),
      cert: readFileSync(join(dir, 'c.pem')),
      notAfter: new Date(Date.now() + 30 * 86_400_000),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
