// Every model card the app knows. No TF.js here: the UI imports this.
import type { ModelCard } from './card';
import { airbenchCifar10 } from './cards/airbench';
import { ZOO_CARDS } from './zoo';

/** The embedded default first, then the zoo (whose weights are imported by the user). */
export const CARDS: readonly ModelCard[] = [airbenchCifar10, ...ZOO_CARDS];

export const DEFAULT_MODEL_ID = airbenchCifar10.id;

/** Cards of models trained on this device; they are stored with their weights in IndexedDB. */
const userCards = new Map<string, ModelCard>();

export function registerUserCard(card: ModelCard): void {
  if (CARDS.some((c) => c.id === card.id)) throw new Error(`"${card.id}" is a built-in model id.`);
  userCards.set(card.id, card);
}

export function findCard(id: string): ModelCard {
  const card = CARDS.find((c) => c.id === id) ?? userCards.get(id);
  if (!card) throw new Error(`Unknown model "${id}". Known: ${CARDS.map((c) => c.id).join(', ')}.`);
  return card;
}
