// A local server that behaves like the Hugging Face hub, for the pinned-download tests:
// https://weights.hf.co/<repo>/resolve/main/model.safetensors answers 302 to a second origin,
// https://cdn-lfs.hf.co (another port; app-harness.ts maps both names and trusts the test
// certificate), which serves the file with CORS and HTTP Range (206, Content-Range), as the
// hub's CDN does. A repo it does not hold is 404. One transfer can be cut midway, and files
// can be dripped slowly (for a reload or a cancel while a download runs).
import { createServer, type Server } from 'node:https';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CDN_HOST, CDN_PORT, FIXTURE_HOST, FIXTURE_PORT, ROOT } from './app-harness';
import { testTls } from './fixture-server';
import { writeSafetensors } from '../models/safetensors';

/** One answer of the CDN: the Range asked for (0 if none), bytes sent, whether all were. */
export interface HubServed {
  repo: string;
  status: number;
  from: number;
  sent: number;
  complete: boolean;
}

export interface HubServer {
  /** The hub's origin as the browser names it (?hub=). */
  origin: string;
  /** The CDN's answers, in order; `redirects`: the hub's 302s and 404s, by repo. */
  served: HubServed[];
  /** CORS preflights (OPTIONS) either origin got: Chromium sends none for a simple `Range`. */
  preflights: string[];
  redirects: { repo: string; status: number }[];
  /** Cut the next transfer of `repo` after this many bytes of body (then close the connection). */
  cutNext(repo: string, afterBytes: number): void;
  /** From now on, send `repo` in 64 KiB pieces every `ms` (0: at once). */
  drip(repo: string, ms: number): void;
  close(): Promise<void>;
}

export const TIMM_FIXTURES = resolve(ROOT, '../shared/fixtures/timm');

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A fixture file of ../shared/fixtures/timm (timm-named random weights; see the README there). */
export function timmFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(resolve(TIMM_FIXTURES, name)));
}

/**
 * Random weights in a full-size timm model's own names and shapes, from its key list in
 * ../shared/fixtures/timm (`<model>.keys.json`): a file of the pinned file's layout and
 * about its size, made at test time (nothing from ../shared is committed). BatchNorm
 * statistics are the identity, so activations stay finite; num_batches_tracked is left out.
 */
export function timmRandomFile(model: string, seed = 1): Uint8Array {
  const list = JSON.parse(readFileSync(resolve(TIMM_FIXTURES, `${model}.keys.json`), 'utf8')) as { keys: Record<string, number[]> };
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, shape] of Object.entries(list.keys)) {
    if (name.endsWith('num_batches_tracked')) continue;
    const n = shape.reduce((a, b) => a * b, 1);
    const fill = name.endsWith('running_var') || /bn\d?\.weight$/.test(name) ? () => 1 : name.endsWith('running_mean') ? () => 0 : rand;
    tensors[name] = { shape, data: new Float32Array(n).map(fill) };
  }
  return new Uint8Array(writeSafetensors(tensors, { note: `random test weights in ${model}'s timm layout` }));
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Range',
  'Access-Control-Expose-Headers': 'Content-Range, Accept-Ranges, Content-Length, ETag',
};

/** Serves `files` (hub repo id -> file) as the hub does; the CDN answers `noCors` repos without CORS headers. */
export async function serveHub(files: Record<string, Uint8Array>, { noCors = [] as string[] } = {}): Promise<HubServer> {
  const served: HubServed[] = [];
  const preflights: string[] = [];
  const redirects: HubServer['redirects'] = [];
  const cuts = new Map<string, number>();
  const drips = new Map<string, number>();
  const hub: Server = createServer(testTls(), (req, res) => {
    if (req.method === 'OPTIONS') return void (preflights.push(req.url ?? ''), res.writeHead(204, CORS).end());
    const m = /^\/(.+)\/resolve\/main\/model\.safetensors$/.exec(req.url ?? '');
    const repo = m?.[1] ?? '';
    if (!m || !files[repo]) {
      redirects.push({ repo, status: 404 });
      return void res.writeHead(404, { ...CORS, 'Content-Type': 'text/plain' }).end('Entry not found');
    }
    redirects.push({ repo, status: 302 });
    res.writeHead(302, { ...CORS, Location: `https://${CDN_HOST}/${repo}/model.safetensors?signed=test` }).end();
  });
  const cdn: Server = createServer(testTls(), (req, res) => {
    if (req.method === 'OPTIONS') return void (preflights.push(req.url ?? ''), res.writeHead(204, CORS).end());
    const repo = /^\/(.+)\/model\.safetensors/.exec(req.url ?? '')?.[1] ?? '';
    const file = files[repo];
    if (!file) return void res.writeHead(404, CORS).end();
    const cors = noCors.includes(repo) ? {} : CORS;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const from = range ? Number(range[1]) : 0;
    if (from >= file.length) return void res.writeHead(416, { ...cors, 'Content-Range': `bytes */${file.length}` }).end();
    const body = file.subarray(from);
    const status = range ? 206 : 200;
    res.writeHead(status, {
      ...cors,
      'Content-Type': 'application/octet-stream',
      'Content-Length': body.length,
      'Accept-Ranges': 'bytes',
      ETag: `"${sha256(file)}"`,
      ...(range ? { 'Content-Range': `bytes ${from}-${file.length - 1}/${file.length}` } : {}),
    });
    const log: HubServed = { repo, status, from, sent: 0, complete: false };
    served.push(log);
    const cut = cuts.get(repo);
    cuts.delete(repo);
    const piece = 64 * 1024;
    const every = drips.get(repo) ?? 0;
    const send = () => {
      if (res.destroyed) return;
      const end = Math.min(body.length, cut !== undefined ? cut : body.length, log.sent + (every ? piece : body.length));
      if (log.sent >= end) {
        if (cut !== undefined && log.sent < body.length) return void res.destroy(); // the connection drops midway
        return void res.end(() => (log.complete = true));
      }
      res.write(Buffer.from(body.subarray(log.sent, end)), () => {
        log.sent = end;
        setTimeout(send, every);
      });
    };
    send();
  });
  await Promise.all([
    new Promise<void>((ok) => hub.listen(FIXTURE_PORT, '127.0.0.1', ok)),
    new Promise<void>((ok) => cdn.listen(CDN_PORT, '127.0.0.1', ok)),
  ]);
  const close = (s: Server) =>
    new Promise<void>((ok) => {
      s.close(() => ok());
      s.closeAllConnections();
    });
  return {
    origin: `https://${FIXTURE_HOST}`,
    served,
    redirects,
    preflights,
    cutNext: (repo, afterBytes) => void cuts.set(repo, afterBytes),
    drip: (repo, ms) => void drips.set(repo, ms),
    close: async () => {
      await Promise.all([close(hub), close(cdn)]);
    },
  };
}
