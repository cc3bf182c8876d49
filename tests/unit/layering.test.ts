// src/ is UI only: nothing it imports, directly or through other files, is TF.js.
import { expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|svelte)$/.test(n) ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec);
  for (const cand of [base, `${base}.ts`, join(base, 'index.ts')]) if (existsSync(cand) && statSync(cand).isFile()) return cand;
  return null;
}

it('src/ never imports TF.js, directly or transitively', () => {
  const seen = new Set<string>();
  const offenders: string[] = [];
  const stack = files(join(ROOT, 'src'));
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const text = readFileSync(f, 'utf8');
    // `new URL('../workers/x.ts', import.meta.url)` starts a worker: it is not an import.
    for (const m of text.matchAll(/(?:import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g)) {
      if (m[1]) continue; // type-only imports are erased
      const spec = m[2] ?? m[3] ?? m[4]!;
      if (spec.startsWith('@tensorflow/')) offenders.push(`${relative(ROOT, f)} imports ${spec}`);
      const next = resolveImport(f, spec);
      if (next) stack.push(next);
    }
  }
  expect(offenders).toEqual([]);
  expect(seen.size).toBeGreaterThan(5);
});

/** Every relative import of the files under `dir` (type-only ones too), resolved to repo paths. */
function importsOf(dir: string): { from: string; to: string }[] {
  return files(join(ROOT, dir)).flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/(?:import|export)\s+(?:type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"]([^'"]+)['"]/g)].flatMap((m) => {
      const to = resolveImport(f, (m[1] ?? m[2] ?? m[3])!.split('?')[0]!);
      return to ? [{ from: relative(ROOT, f), to: relative(ROOT, to) }] : [];
    }),
  );
}

it('src/ reaches the workers only through workers/contracts/ (and starts them by URL)', () => {
  const bad = importsOf('src').filter(({ to }) => to.startsWith('workers/') && !to.startsWith('workers/contracts/') && !to.endsWith('.worker.ts'));
  expect(bad).toEqual([]);
});

it('workers/contracts/ imports no implementation: only other contracts, model cards and the policy', () => {
  // The Tour's protocol names the types of its facts and sections, which are plain data (no TF.js).
  const allowed = ['models/card.ts', 'models/profile.ts', 'security-headers.ts', 'models/tour-arithmetic.ts', 'models/tour-sections.ts'];
  const bad = importsOf('workers/contracts').filter(({ to }) => !to.startsWith('workers/contracts/') && !allowed.includes(to));
  expect(bad).toEqual([]);
});
