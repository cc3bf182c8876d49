// A local HTTPS server (with CORS) that serves fixtures for the download tests: a good file
// with random weights for a zoo model, broken copies of it, CIFAR archives, and the ways a
// download goes wrong (no CORS, redirects, a body cut short, a stall). The app's
// Content-Security-Policy lets it download only from huggingface.co and *.hf.co, so the
// browser reaches this server as https://weights.hf.co (harness.ts maps that name to it,
// and trusts its test certificate): the tests download through the real policy.
import { createServer, type Server } from 'node:https';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_HOST, FIXTURE_PORT, ROOT } from './app-harness';
import { findCard } from '../models/registry';
import { buildModel } from '../models/builders';
import { writeSafetensors } from '../models/safetensors';

export interface WeightFixtures extends FileServer {
  /** Of good.safetensors, and of other.safetensors (other good weights). */
  sha256: string;
  /** The length of good.safetensors (and of its slow, stalled and cut-short copies). */
  bytes: number;
  otherSha256: string;
}

/** One response of the server: how much of it went out before it ended. */
export interface Served {
  path: string;
  sent: number;
  complete: boolean;
}

export interface FileServer {
  base: string;
  /** Every response so far, in order. */
  served: Served[];
  close(): Promise<void>;
}

/** Seeded random weights for `modelId`; `breakShape` widens the first matrix, `nan` poisons the third tensor. */
async function randomWeights(modelId: string, breakShape = false, nan = false, seed = 1): Promise<ArrayBuffer> {
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  let first = true;
  let k = 0;
  for (const [name, spec] of (await buildModel(findCard(modelId))).namedSpecs()) {
    const shape = [...spec.torchShape];
    if (breakShape && first && shape.length > 1) {
      shape[0] = shape[0]! + 1;
      first = false;
    }
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n).map(() => (name.endsWith('running_var') ? 1 : rand()));
    if (nan && k++ === 2) data.fill(NaN);
    tensors[name] = { shape, data };
  }
  return writeSafetensors(tensors, { note: 'random test weights' });
}

export async function serveWeights(modelId: string): Promise<WeightFixtures> {
  const good = new Uint8Array(await randomWeights(modelId));
  const other = new Uint8Array(await randomWeights(modelId, false, false, 7));
  const corrupt = good.slice();
  corrupt[corrupt.length - 10]! ^= 0xff;
  const files: Record<string, Uint8Array> = {
    '/good.safetensors': good,
    '/truncated.safetensors': good.subarray(0, Math.floor(good.length * 0.6)),
    '/corrupt.safetensors': corrupt,
    '/wrong-shape.safetensors': new Uint8Array(await randomWeights(modelId, true)),
    '/nan.safetensors': new Uint8Array(await randomWeights(modelId, false, true)),
    // Other good weights: a re-import that really changes them.
    '/other.safetensors': other,
    '/not-safetensors.safetensors': new TextEncoder().encode('<!doctype html><title>Not found</title>'),
    // The good file, dripped slowly, for a download that is cancelled halfway.
    '/slow.safetensors': good,
  };
  const server = await serveFiles(files, { drip: ['/slow.safetensors'], faults: downloadFaults(good, 'safetensors') });
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  return { ...server, sha256: sha(good), bytes: good.length, otherSha256: sha(other) };
}

const TLS = join(ROOT, 'tests/fixtures/tls');

/** The test certificate (for huggingface.co and *.hf.co), which launch() has Chromium trust. */
export function testTls(): { key: Buffer; cert: Buffer } {
  return { key: readFileSync(join(TLS, 'test-host.key')), cert: readFileSync(join(TLS, 'test-host.crt')) };
}

/**
 * How a path's answer goes wrong. 'no-cors': no Access-Control-Allow-Origin (a 404 if it has no
 * body); 'cut-short': the first quarter of the body under the whole body's Content-Length,
 * then the connection closes; 'stall': the headers and 4 KiB, then nothing; 'silent': no
 * answer at all; a redirect, with or without CORS on the redirect itself.
 */
export type ServeFault = 'no-cors' | 'cut-short' | 'stall' | 'silent' | { redirect: string; cors: boolean };

/** The failing downloads every fixture server offers, over `body`: /no-cors.EXT, /cut-short.EXT and so on. */
export function downloadFaults(body: Uint8Array, ext: string): { files: Record<string, Uint8Array>; faults: Record<string, ServeFault> } {
  const files: Record<string, Uint8Array> = {};
  const faults: Record<string, ServeFault> = {
    [`/missing-no-cors.${ext}`]: 'no-cors',
    [`/redirect-no-cors.${ext}`]: { redirect: `/good.${ext}`, cors: false },
    [`/redirect-loop.${ext}`]: { redirect: `/redirect-loop.${ext}`, cors: true },
    [`/silent.${ext}`]: 'silent',
  };
  for (const f of ['no-cors', 'cut-short', 'stall'] as const) {
    files[`/${f}.${ext}`] = body;
    faults[`/${f}.${ext}`] = f;
  }
  return { files, faults };
}

/**
 * Serves `files` (path -> bytes) over HTTPS on 127.0.0.1 with CORS, as the hub would. Paths in
 * `drip` are sent 4 KiB every 100 ms, so a download of them is still going when a test acts;
 * `faults` adds paths (and their bytes) whose answers go wrong (ServeFault).
 */
export async function serveFiles(
  files: Record<string, Uint8Array>,
  { drip = [] as string[], faults = { files: {}, faults: {} } as ReturnType<typeof downloadFaults> } = {},
): Promise<FileServer> {
  const served: Served[] = [];
  const all = { ...files, ...faults.files };
  const server: Server = createServer(testTls(), (req, res) => {
    const path = req.url ?? '';
    const body = all[path];
    const fault = faults.faults[path];
    if (fault === 'silent') return; // the socket stays open until the client gives up
    if (!(fault === 'no-cors' || (typeof fault === 'object' && !fault.cors))) res.setHeader('Access-Control-Allow-Origin', '*');
    if (typeof fault === 'object') {
      res.writeHead(302, { Location: fault.redirect }).end();
      return;
    }
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
    const log: Served = { path, sent: 0, complete: false };
    served.push(log);
    if (fault === 'cut-short') {
      const part = body.subarray(0, Math.floor(body.length / 4));
      res.write(Buffer.from(part), () => {
        log.sent = part.length;
        res.destroy();
      });
      return;
    }
    if (fault === 'stall') {
      res.write(Buffer.from(body.subarray(0, 4096)), () => (log.sent = 4096));
      return;
    }
    if (!drip.includes(log.path)) {
      res.end(Buffer.from(body), () => Object.assign(log, { sent: body.length, complete: true }));
      return;
    }
    const tick = setInterval(() => {
      if (res.destroyed) return clearInterval(tick);
      if (log.sent >= body.length) {
        clearInterval(tick);
        res.end(() => (log.complete = true));
        return;
      }
      res.write(Buffer.from(body.subarray(log.sent, log.sent + 4096)));
      log.sent = Math.min(body.length, log.sent + 4096);
    }, 100);
    res.on('close', () => clearInterval(tick));
  });
  await new Promise<void>((ok) => server.listen(FIXTURE_PORT, '127.0.0.1', ok));
  return {
    base: `https://${FIXTURE_HOST}`,
    served,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections(); // a stalled or silent answer would hold close() for good
      }),
  };
}
