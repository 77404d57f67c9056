/** A minimal zip reader (central directory, zip64, stored/deflated entries) so wheels unpack without `unzip`. */
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** Read the central directory of a zip file (zip64-aware). */
export async function listZipEntries(zipPath: string): Promise<ZipEntry[]> {
  const fh = await fsp.open(zipPath, 'r');
  try {
    const { size } = await fh.stat();
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tailLen - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${zipPath}: not a zip file (no end-of-central-directory record)`);
    let count = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locPos = size - tailLen + eocd - 20;
      const loc = Buffer.alloc(20);
      await fh.read(loc, 0, 20, locPos);
      if (loc.readUInt32LE(0) !== 0x07064b50) throw new Error(`${zipPath}: zip64 locator missing`);
      const z64 = Buffer.alloc(56);
      await fh.read(z64, 0, 56, Number(loc.readBigUInt64LE(8)));
      if (z64.readUInt32LE(0) !== 0x06064b50) throw new Error(`${zipPath}: zip64 end record missing`);
      count = Number(z64.readBigUInt64LE(32));
      cdSize = Number(z64.readBigUInt64LE(40));
      cdOffset = Number(z64.readBigUInt64LE(48));
    }
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (cd.readUInt32LE(p) !== 0x02014b50) throw new Error(`${zipPath}: corrupt central directory at entry ${i}`);
      const method = cd.readUInt16LE(p + 10);
      const crc = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20);
      let uncompressedSize = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      // zip64 extended information extra field
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = cd.readUInt16LE(e);
        const len = cd.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (uncompressedSize === 0xffffffff) {
            uncompressedSize = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(cd.readBigUInt64LE(q));
            q += 8;
          }
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(cd.readBigUInt64LE(q));
        }
        e += 4 + len;
      }
      entries.push({ name, method, crc32: crc, compressedSize, uncompressedSize, localHeaderOffset });
      p = extraEnd + commentLen;
    }
    return entries;
  } finally {
    await fh.close();
  }
}

/** Stream one entry (stored or deflated) out of a zip into `dest`, checking size and CRC-32. Pure node. */
export async function extractZipEntry(zipPath: string, entryName: string, dest: string): Promise<void> {
  const entry = (await listZipEntries(zipPath)).find((e) => e.name === entryName);
  if (!entry) throw new Error(`${zipPath}: no entry ${entryName}`);
  if (entry.method !== 0 && entry.method !== 8) throw new Error(`${zipPath}: ${entryName} uses unsupported compression method ${entry.method}`);
  const fh = await fsp.open(zipPath, 'r');
  let dataStart: number;
  try {
    const lh = Buffer.alloc(30);
    await fh.read(lh, 0, 30, entry.localHeaderOffset);
    if (lh.readUInt32LE(0) !== 0x04034b50) throw new Error(`${zipPath}: bad local header for ${entryName}`);
    dataStart = entry.localHeaderOffset + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
  } finally {
    await fh.close();
  }
  let crc = 0;
  let size = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      crc = zlib.crc32(chunk, crc);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const src: Readable =
    entry.compressedSize > 0
      ? createReadStream(zipPath, { start: dataStart, end: dataStart + entry.compressedSize - 1 })
      : Readable.from([]);
  if (entry.method === 8) await pipeline(src, zlib.createInflateRaw(), check, createWriteStream(dest));
  else await pipeline(src, check, createWriteStream(dest));
  if (size !== entry.uncompressedSize) throw new Error(`${entryName}: extracted ${size} bytes, expected ${entry.uncompressedSize}`);
  if (crc >>> 0 !== entry.crc32 >>> 0) throw new Error(`${entryName}: CRC-32 mismatch`);
}
