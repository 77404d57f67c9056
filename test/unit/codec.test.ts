// The payload codec (AES-256-GCM with key IDs) and the connection settings' field-level problems.
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, parseCodecKey } from '../../client/codec';
import { readSecuredConnection } from '../../client/connect';
import { parseConfig } from '../../config/load';

const key = (id: string) => parseCodecKey(id, randomBytes(32).toString('base64'), 'TEST_KEY');
const text = (b?: Uint8Array | null) => Buffer.from(b ?? []).toString('utf8');

test('encrypts every payload with the current key, names the key, and round-trips', async () => {
  const codec = new AesGcmPayloadCodec(key('k2'));
  const plain = defaultPayloadConverter.toPayload({ summary: 'openai is down: 503 from every region' });
  const [sealed] = await codec.encode([plain]);
  expect(text(sealed.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
  expect(text(sealed.metadata?.[KEY_ID_METADATA])).toBe('k2');
  expect(Buffer.from(sealed.data!).includes('openai is down')).toBe(false);
  // A fresh IV each time: the same payload never seals to the same bytes.
  const [again] = await codec.encode([plain]);
  expect(Buffer.from(again.data!).equals(Buffer.from(sealed.data!))).toBe(false);
  const [opened] = await codec.decode([sealed]);
  expect(defaultPayloadConverter.fromPayload(opened)).toEqual({ summary: 'openai is down: 503 from every region' });
});

test('rotation: a new current key still opens payloads sealed with a previous one; an unlisted key is named', async () => {
  const old = key('2026-01');
  const next = key('2026-06');
  const [sealedOld] = await new AesGcmPayloadCodec(old).encode([defaultPayloadConverter.toPayload('incident text')]);
  const rotated = new AesGcmPayloadCodec(next, [old]);
  expect(defaultPayloadConverter.fromPayload((await rotated.decode([sealedOld]))[0])).toBe('incident text');
  const [sealedNew] = await rotated.encode([defaultPayloadConverter.toPayload('x')]);
  expect(text(sealedNew.metadata?.[KEY_ID_METADATA])).toBe('2026-06');
  await expect(new AesGcmPayloadCodec(next).decode([sealedOld])).rejects.toThrow('unknown codec key "2026-01"');
});

test('tampering is detected: a flipped byte or a relabelled key id fails to open', async () => {
  const a = key('a');
  const b = { id: 'b', key: a.key }; // the same key bytes under another id: the id is authenticated too
  const codec = new AesGcmPayloadCodec(a, [b]);
  const [sealed] = await codec.encode([defaultPayloadConverter.toPayload('secret')]);
  const flipped = Buffer.from(sealed.data!);
  flipped[20] ^= 1;
  await expect(codec.decode([{ ...sealed, data: flipped }])).rejects.toThrow();
  await expect(
    codec.decode([{ ...sealed, metadata: { ...sealed.metadata, [KEY_ID_METADATA]: Buffer.from('b') } }]),
  ).rejects.toThrow();
  // Unencrypted payloads (written before the codec was on) pass through.
  const legacy = defaultPayloadConverter.toPayload('old');
  expect((await codec.decode([legacy]))[0]).toBe(legacy);
});

test('a codec key must be 32 bytes of base64; the error names the variable, never the value', () => {
  expect(() => parseCodecKey('k', undefined, 'LIFELINE_CODEC_KEY')).toThrow('LIFELINE_CODEC_KEY is not set');
  const short = randomBytes(16).toString('base64');
  let message = '';
  try {
    parseCodecKey('k', short, 'LIFELINE_CODEC_KEY');
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toMatch(/LIFELINE_CODEC_KEY must hold 32 bytes/);
  expect(message).not.toContain(short);
});

describe('temporal connection settings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lifeline-tls-'));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'not-pem.txt'), 'hello');
    writeFileSync(join(dir, 'locked.pem'), '-----BEGIN PRIVATE KEY-----\n');
    chmodSync(join(dir, 'locked.pem'), 0o000);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const base = 'providers: [{ id: p, kind: openai, baseUrl: "http://127.0.0.1:1" }]\n';

  test('missing, unreadable and non-PEM files and unset variables are each named by field', () => {
    const config = parseConfig(`${base}temporal:
  address: temporal.example.com:7233
  apiKeyEnv: T_API_KEY
  tls: { caFile: ${join(dir, 'not-pem.txt')}, certFile: ${join(dir, 'missing.pem')}, keyEnv: T_TLS_KEY, serverName: temporal.internal }
  codec: { keyId: k1, keyEnv: T_CODEC, previousKeys: [{ keyId: k0, keyEnv: T_CODEC_OLD }] }
`);
    const { problems } = readSecuredConnection(config.temporal, {
      T_CODEC: randomBytes(32).toString('base64'),
      T_CODEC_OLD: 'c2hvcnQ=',
    });
    expect(problems).toEqual([
      `temporal.tls.caFile: ${join(dir, 'not-pem.txt')} is not a PEM file`,
      `temporal.tls.certFile: cannot read ${join(dir, 'missing.pem')} (no such file)`,
      'temporal.tls.keyEnv: T_TLS_KEY is not set',
      'temporal.apiKeyEnv: T_API_KEY is not set',
      'temporal.codec.previousKeys.0.keyEnv: T_CODEC_OLD must hold 32 bytes in base64 (openssl rand -base64 32) for AES-256-GCM (key "k0")',
    ]);
  });

  test('unreadable file (permissions) is named', () => {
    if (process.getuid?.() === 0) {
      // root reads any file: prove the branch with a directory instead (EISDIR), which root cannot read as a file.
      const config = parseConfig(`${base}temporal: { address: "h:7233", tls: { caFile: ${dir} } }\n`);
      expect(readSecuredConnection(config.temporal, {}).problems).toEqual([
        expect.stringMatching(new RegExp(`^temporal.tls.caFile: cannot read ${dir} \\(.*EISDIR`)),
      ]);
    } else {
      const config = parseConfig(
        `${base}temporal: { address: "h:7233", tls: { caFile: ${join(dir, 'locked.pem')} } }\n`,
      );
      expect(readSecuredConnection(config.temporal, {}).problems).toEqual([
        `temporal.tls.caFile: cannot read ${join(dir, 'locked.pem')} (permission denied)`,
      ]);
    }
  });

  test('a good setup yields TLS with the CA, server name and API key, and a codec', () => {
    const config = parseConfig(
      `${base}temporal: { address: "ns.acct.tmprl.cloud:7233", apiKeyEnv: T_API_KEY, tls: { caFile: ${join(dir, 'ca.pem')}, serverName: x.internal }, codec: { keyId: k1, keyEnv: T_CODEC } }\n`,
    );
    const { settings, problems } = readSecuredConnection(config.temporal, {
      T_API_KEY: 'key-value',
      T_CODEC: randomBytes(32).toString('base64'),
    });
    expect(problems).toEqual([]);
    expect(settings.apiKey).toBe('key-value');
    expect(settings.tls).toMatchObject({
      serverNameOverride: 'x.internal',
      serverRootCACertificate: expect.any(Buffer),
    });
    expect(settings.dataConverter?.payloadCodecs).toHaveLength(1);
  });

  test('an API key alone turns TLS on; TLS with the embedded dev server is refused', () => {
    const cloud = parseConfig(`${base}temporal: { address: "ns.acct.tmprl.cloud:7233", apiKeyEnv: T_API_KEY }\n`);
    expect(readSecuredConnection(cloud.temporal, { T_API_KEY: 'k' }).settings.tls).toBe(true);
    const embedded = parseConfig(`${base}temporal: { tls: {} }\n`);
    expect(readSecuredConnection(embedded.temporal, {}).problems).toEqual([
      expect.stringMatching(/^temporal.tls: not used with address "embedded"/),
    ]);
  });

  test('shape errors are reported at the key: cert without key, file and env both, duplicate key ids', () => {
    expect(() =>
      parseConfig(
        `${base}temporal: { address: "h:1", tls: { certFile: a.pem, caFile: c, caEnv: C }, codec: { keyId: k, keyEnv: K, previousKeys: [{ keyId: k, keyEnv: K2 }] } }\n`,
      ),
    ).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          'temporal.tls.caEnv: set caFile or caEnv, not both',
          'temporal.tls.keyFile: a client certificate needs its private key: set both certFile/certEnv and keyFile/keyEnv',
          'temporal.codec.previousKeys.0.keyId: duplicate key id "k"',
        ]),
      }),
    );
  });
});

test('`lifeline config check` lists the connection problems by field and exits 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-check-'));
  const file = join(dir, 'lifeline.yaml');
  writeFileSync(
    file,
    `providers: [{ id: p, kind: openai, baseUrl: "http://127.0.0.1:1" }]
temporal: { address: "h:7233", tls: { certFile: ${join(dir, 'client.pem')}, keyFile: ${join(dir, 'client.key')} }, codec: { keyId: k, keyEnv: CHECK_CODEC_KEY_UNSET } }
store: { kind: postgres, postgres: { urlEnv: CHECK_STORE_URL_UNSET } }
`,
  );
  const { main } = await import('../../cli/index');
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    // main() returns the exit code (bin/lifeline.js exits with it).
    expect(await main(['node', 'lifeline', '--config', file, 'config', 'check'])).toBe(2);
  } finally {
    spy.mockRestore();
    process.exitCode = 0;
    rmSync(dir, { recursive: true, force: true });
  }
  const out = written.join('');
  expect(out).toContain(`temporal.tls.certFile: cannot read ${join(dir, 'client.pem')} (no such file)`);
  expect(out).toContain(`temporal.tls.keyFile: cannot read ${join(dir, 'client.key')} (no such file)`);
  expect(out).toContain('temporal.codec.keyEnv: CHECK_CODEC_KEY_UNSET is not set');
  expect(out).toContain('store.postgres.urlEnv: CHECK_STORE_URL_UNSET is not set');
});
