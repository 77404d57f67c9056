// Payload encryption for everything lifeline sends through Temporal (alerts, incident state, activity
// inputs and results): AES-256-GCM, a fresh 96-bit IV per payload, the key ID in the payload's metadata
// so keys can rotate (new payloads use the current key; older keys stay listed to open old histories).
// The same codec serves the API's /codec endpoint, which the Temporal UI calls to show decrypted payloads.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { ValueError } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : '');

export interface CodecKey {
  id: string;
  key: Buffer;
}

/** A 32-byte key from its base64 form (`openssl rand -base64 32`); the error names the variable, never the value. */
export function parseCodecKey(id: string, base64: string | undefined, from: string): CodecKey {
  if (!base64) throw new Error(`${from} is not set (the payload codec key "${id}")`);
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== base64.trim().replace(/=+$/, '')) {
    throw new Error(`${from} must hold 32 bytes in base64 (openssl rand -base64 32) for AES-256-GCM (key "${id}")`);
  }
  return { id, key };
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  /** `current` seals new payloads; every key (current and previous) can open payloads that name it. */
  constructor(
    private readonly current: CodecKey,
    previous: CodecKey[] = [],
  ) {
    this.byId = new Map([...previous, current].map((k) => [k.id, k.key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      // The key ID is authenticated too: a payload relabelled with another key ID fails to open.
      cipher.setAAD(Buffer.from(this.current.id, 'utf8'));
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(this.current.id) },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      // Payloads written before the codec was turned on stay readable.
      if (text(p.metadata?.encoding) !== ENCRYPTED_ENCODING) return p;
      const keyId = text(p.metadata?.[KEY_ID_METADATA]);
      const key = this.byId.get(keyId);
      if (!key)
        throw new ValueError(
          `payload sealed with unknown codec key "${keyId}": list it under temporal.codec.previousKeys`,
        );
      const data = Buffer.from(p.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError('encrypted payload is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(keyId, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}
