// A local HTTPS server (with CORS) that serves fixtures for the download tests: a good file
// with random weights for a zoo model, broken copies of it, CIFAR archives. The app's
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

export interface WeightFixtures {
  base: string;
  sha256: string;
  close(): Promise<void>;
}

function randomWeights(modelId: string, breakShape = false): ArrayBuffer {
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  let seed = 1;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
  let first = true;
  for (const [name, spec] of buildModel(findCard(modelId)).namedSpecs()) {
    const shape = [...spec.torchShape];
    if (breakShape && first && shape.length > 1) {
      shape[0] = shape[0]! + 1;
      first = false;
    }
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n).map(() => (name.endsWith('running_var') ? 1 : rand()));
    tensors[name] = { shape, data };
  }
  return writeSafetensors(tensors, { note: 'random test weights' });
}

export async function serveWeights(modelId: string): Promise<WeightFixtures> {
  const good = new Uint8Array(randomWeights(modelId));
  const corrupt = good.slice();
  corrupt[corrupt.length - 10]! ^= 0xff;
  const files: Record<string, Uint8Array> = {
    '/good.safetensors': good,
    '/truncated.safetensors': good.subarray(0, Math.floor(good.length * 0.6)),
    '/corrupt.safetensors': corrupt,
    '/wrong-shape.safetensors': new Uint8Array(randomWeights(modelId, true)),
    '/not-safetensors.safetensors': new TextEncoder().encode('<!doctype html><title>Not found</title>'),
  };
  const { base, close } = await serveFiles(files);
  return { base, sha256: createHash('sha256').update(good).digest('hex'), close };
}

const TLS = join(ROOT, 'tests/fixtures/tls');

/** Serves `files` (path -> bytes) over HTTPS on 127.0.0.1 with CORS, as the hub would. */
export async function serveFiles(files: Record<string, Uint8Array>): Promise<{ base: string; close: () => Promise<void> }> {
  const tls = { key: readFileSync(join(TLS, 'test-host.key')), cert: readFileSync(join(TLS, 'test-host.crt')) };
  const server: Server = createServer(tls, (req, res) => {
    const body = files[req.url ?? ''];
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
    res.end(Buffer.from(body));
  });
  await new Promise<void>((ok) => server.listen(FIXTURE_PORT, '127.0.0.1', ok));
  return { base: `https://${FIXTURE_HOST}`, close: () => new Promise((ok) => server.close(() => ok())) };
}
