// The Teach view's dataset in IndexedDB: one set (its classes and latest results) and its
// samples as JPEG blobs, so they survive a reload and work offline.
import type { MethodResult, SampleInfo, TeachClass, TeachSet } from '../contracts/teach-protocol';
import { openDb, withQuota } from './db';

export const SET_ID = 'mine';

export type StoredSample = SampleInfo & { setId: string; image: Blob };

export async function getSet(): Promise<TeachSet & { results?: MethodResult[] }> {
  const d = await openDb();
  return (await d.get('teachSets', SET_ID)) ?? { id: SET_ID, classes: [], updatedAt: 0, results: [] };
}

export async function putClasses(classes: TeachClass[]): Promise<TeachSet> {
  const d = await openDb();
  const set = { ...(await getSet()), classes, updatedAt: Date.now() };
  await withQuota('the class names', () => d.put('teachSets', set));
  return set;
}

/** Keeps the newest result per method and backbone. */
export async function putResult(r: MethodResult): Promise<void> {
  const d = await openDb();
  const set = await getSet();
  const results = [...(set.results ?? []).filter((x) => x.method !== r.method || x.backboneId !== r.backboneId), r];
  await withQuota('the result', () => d.put('teachSets', { ...set, results }));
}

export async function listSamples(): Promise<SampleInfo[]> {
  const d = await openDb();
  const all = await d.getAllFromIndex('teachSamples', 'setId', SET_ID);
  return all.map(({ image: _image, setId: _setId, ...info }) => info);
}

export async function getSamples(): Promise<StoredSample[]> {
  return (await openDb()).getAllFromIndex('teachSamples', 'setId', SET_ID);
}

export async function getSampleImage(id: string): Promise<Blob> {
  const s = await (await openDb()).get('teachSamples', id);
  if (!s) throw new Error('That sample is no longer stored.');
  return s.image;
}

export async function putSample(s: StoredSample): Promise<void> {
  const d = await openDb();
  await withQuota('this sample (recording stopped; the samples before it are kept)', () => d.put('teachSamples', s));
}

export async function deleteSample(id: string): Promise<void> {
  await (await openDb()).delete('teachSamples', id);
}

export async function deleteAllSamples(): Promise<void> {
  const d = await openDb();
  const tx = d.transaction('teachSamples', 'readwrite');
  const keys = await tx.store.index('setId').getAllKeys(SET_ID);
  await Promise.all([...keys.map((k) => tx.store.delete(k)), tx.done]);
}

export async function deleteClass(classId: string): Promise<TeachSet> {
  const d = await openDb();
  const set = await getSet();
  const next = { ...set, classes: set.classes.filter((c) => c.id !== classId), updatedAt: Date.now() };
  const tx = d.transaction(['teachSets', 'teachSamples'], 'readwrite');
  const samples = await tx.objectStore('teachSamples').index('setId').getAll(SET_ID);
  await Promise.all([...samples.filter((s) => s.classId === classId).map((s) => tx.objectStore('teachSamples').delete(s.id)), tx.objectStore('teachSets').put(next), tx.done]);
  return next;
}

/** Replaces the whole dataset in one transaction: either all of `samples` is stored or nothing changes. */
export async function replaceAll(classes: TeachClass[], samples: StoredSample[]): Promise<void> {
  const d = await openDb();
  await withQuota('the imported dataset', async () => {
    const tx = d.transaction(['teachSets', 'teachSamples'], 'readwrite');
    const old = await tx.objectStore('teachSamples').index('setId').getAllKeys(SET_ID);
    const set = await tx.objectStore('teachSets').get(SET_ID);
    await Promise.all([
      ...old.map((k) => tx.objectStore('teachSamples').delete(k)),
      ...samples.map((s) => tx.objectStore('teachSamples').put(s)),
      tx.objectStore('teachSets').put({ id: SET_ID, classes, updatedAt: Date.now(), results: set?.results ?? [] }),
      tx.done,
    ]);
  });
}
