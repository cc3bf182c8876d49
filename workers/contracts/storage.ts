// What the app keeps on the device, as the Models view lists it ("Storage on this device").
import type { RunRecord } from './train-protocol';

/** 'download': the received part of an unfinished pinned download (it resumes). */
export type StoredKind = 'weights' | 'trained' | 'dataset' | 'run' | 'checkpoint' | 'download' | 'samples';

export interface StoredItem {
  kind: StoredKind;
  /** The model's id, the dataset's id, or the run's id (a checkpoint is its run's). */
  id: string;
  name: string;
  /** As stored: tensor data, the dataset's records, a run's record as JSON. */
  bytes: number;
  savedAt: number;
  /** A run's record, for its state in the list. */
  run?: RunRecord;
}
