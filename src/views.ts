// The app's views, in the order of the navigation. To add one: a component in src/views/ that
// takes `{ app }` (src/lib/app.svelte.ts holds the shared state), and one entry here. Views
// other than Live are imported when first opened, so their code is not part of start-up.
import type { Component } from 'svelte';
import type { AppState } from './lib/app.svelte';
import LivePage from './views/LivePage.svelte';

export type ViewComponent = Component<{ app: AppState }>;

export interface ViewEntry {
  id: string;
  label: string;
  /** The camera classifies while this view is open; in the others its track is paused. */
  usesCamera: boolean;
  load: () => Promise<{ default: ViewComponent }>;
}

export const VIEWS: ViewEntry[] = [
  { id: 'live', label: 'Live', usesCamera: true, load: async () => ({ default: LivePage }) },
  { id: 'compare', label: 'Compare', usesCamera: true, load: () => import('./views/ComparePage.svelte') },
  { id: 'tour', label: 'Tour', usesCamera: true, load: () => import('./views/TourPage.svelte') },
  { id: 'train', label: 'Train', usesCamera: false, load: () => import('./views/TrainPage.svelte') },
  { id: 'teach', label: 'Teach', usesCamera: true, load: () => import('./views/TeachPage.svelte') },
  { id: 'models', label: 'Models', usesCamera: false, load: () => import('./views/ModelsPage.svelte') },
];

export function findView(id: string): ViewEntry {
  return VIEWS.find((v) => v.id === id) ?? VIEWS[0]!;
}

const loads = new Map<string, Promise<{ default: ViewComponent }>>();

/** A view's module, imported once; an import that failed (offline, not cached yet) is tried again next time. */
export function loadView(v: ViewEntry): Promise<{ default: ViewComponent }> {
  let p = loads.get(v.id);
  if (!p) {
    p = v.load();
    p.catch(() => loads.delete(v.id));
    loads.set(v.id, p);
  }
  return p;
}
