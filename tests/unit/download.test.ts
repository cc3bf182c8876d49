// The workers' downloads (workers/store/download.ts): what each failure says, and the stall
// timeout and a body cut short, against a real local HTTP server in Node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  cutShortMessage,
  DOWNLOAD_STALL_MS,
  offlineMessage,
  openDownload,
  refusedMessage,
  setDownloadStall,
  stalledMessage,
} from '../../workers/store/download';
import { engineOptions } from '../../workers/contracts/plan';

const URL_ = 'https://weights.hf.co/org/model.safetensors';

describe('download messages', () => {
  it('a refused cross-origin request names the host, CORS, and the way round it', () => {
    const m = refusedMessage(URL_);
    expect(m).toContain(URL_);
    expect(m).toMatch(/weights\.hf\.co .*cross-origin requests \(CORS\)/);
    expect(m).toMatch(/[Dd]ownload the file .* import it from disk/);
    expect(m).not.toMatch(/offline/);
  });
  it('offline says so, and nothing of CORS', () => {
    const m = offlineMessage(URL_);
    expect(m).toContain(URL_);
    expect(m).toMatch(/offline/);
    expect(m).not.toMatch(/CORS/);
  });
  it('a stall names the host and the time waited', () => {
    expect(DOWNLOAD_STALL_MS).toBe(30_000);
    expect(stalledMessage(URL_, DOWNLOAD_STALL_MS)).toMatch(/^weights\.hf\.co sent nothing for 30 s, so the download of https:\/\/weights\.hf\.co\/org\/model\.safetensors was stopped/);
    expect(stalledMessage(URL_, 1500)).toMatch(/for 1\.5 s/);
  });
  it('a body cut short gives both byte counts and the URL', () => {
    expect(cutShortMessage(URL_, 4096, 1_048_576)).toBe(
      `The download of ${URL_} was cut short: 4,096 of 1,048,576 bytes arrived. Try again.`,
    );
  });
  it('?stall= shortens the timeout only with the test-only ?faults', () => {
    expect(engineOptions('?faults&stall=2').downloadStallMs).toBe(2000);
    expect(engineOptions('?stall=2').downloadStallMs).toBeUndefined();
    expect(engineOptions('?faults&stall=x').downloadStallMs).toBeUndefined();
    expect(engineOptions('').downloadStallMs).toBeUndefined();
  });
});

describe('openDownload against a local server', () => {
  let server: Server;
  let base: string;
  const body = new Uint8Array(64 * 1024).map((_, i) => i & 0xff);
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Length': body.length });
      if (req.url === '/whole') res.end(Buffer.from(body));
      else if (req.url === '/cut') res.write(Buffer.from(body.subarray(0, 4096)), () => res.destroy());
      else if (req.url === '/stall') res.write(Buffer.from(body.subarray(0, 4096))); // then nothing
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    setDownloadStall(undefined);
    server.closeAllConnections();
    server.close();
  });
  const readAll = async (url: string) => {
    const d = await openDownload(url, url);
    return new Uint8Array(await new Response(d.body).arrayBuffer());
  };

  it('reads a whole body, with its length', async () => {
    const d = await openDownload(`${base}/whole`, base);
    expect(d.total).toBe(body.length);
    expect(new Uint8Array(await new Response(d.body).arrayBuffer())).toEqual(body);
  });
  it('a body shorter than its Content-Length is cut short, with the counts', async () => {
    await expect(readAll(`${base}/cut`)).rejects.toThrow(cutShortMessage(`${base}/cut`, 4096, body.length));
  });
  it('no bytes for the stall time ends the download, naming the host and the time', async () => {
    setDownloadStall(300);
    await expect(readAll(`${base}/stall`)).rejects.toThrow(stalledMessage(`${base}/stall`, 300));
    setDownloadStall(undefined);
  });
});
