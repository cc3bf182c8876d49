// Every model card the app knows. No TF.js here: the UI imports this.
import type { ModelCard } from './card';
import { airbenchCifar10 } from './cards/airbench';
import { ZOO_CARDS } from './zoo';

/** The embedded default first, then the zoo (whose weights are imported by the user). */
export const CARDS: readonly ModelCard[] = [airbenchCifar10, ...ZOO_CARDS];

export const DEFAULT_MODEL_ID = airbenchCifar10.id;

export function findCard(id: string): ModelCard {
  const card = CARDS.find((c) => c.id === id);
  if (!card) throw new Error(`Unknown model "${id}". Known: ${CARDS.map((c) => c.id).join(', ')}.`);
  return card;
}
