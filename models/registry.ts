// Every model card the app knows. No TF.js here: the UI imports this.
import type { ModelCard } from './card';
import * as airbench from './cards/airbench';
import * as lenet from './cards/lenet';
import * as alexnet from './cards/alexnet';
import * as zfnet from './cards/zfnet';
import * as vgg from './cards/vgg';
import * as googlenet from './cards/googlenet';
import * as resnet from './cards/resnet';
import * as resnetCifar from './cards/resnet-cifar';
import * as mobilenetV1 from './cards/mobilenet-v1';
import * as mobilenetV2 from './cards/mobilenet-v2';
import * as mobilenetV3 from './cards/mobilenet-v3';
import * as convnext from './cards/convnext';

// The one list a new family joins (tests/unit/cards.test.ts fails if a cards file is left
// out). A list by hand because the Node tools run under tsx and Playwright, which have no
// import.meta.glob; the architectures need none (models/builders.ts finds them by name).
const FAMILIES: readonly { cards: readonly ModelCard[] }[] = [
  airbench, lenet, alexnet, zfnet, vgg, googlenet, resnet, resnetCifar, mobilenetV1, mobilenetV2, mobilenetV3, convnext,
];

/** The embedded default first, then the zoo in the seed's order. */
export const CARDS: readonly ModelCard[] = FAMILIES.flatMap((f) => f.cards);

/** The classic architectures, whose weights the user imports (Models view). */
export const ZOO_CARDS: readonly ModelCard[] = CARDS.filter((c) => !c.weights.embedded);

export const DEFAULT_MODEL_ID = airbench.airbenchCifar10.id;

/** The shipped CIFAR-10 models (32x32 input, 10 classes), the default among them: the rows of npm run table. */
export const SHIPPED_CIFAR10: readonly ModelCard[] = CARDS.filter((c) => c.weights.embedded && c.labels.length === 10 && c.preprocess.size[0] === 32);

/** How many models the Compare view runs side by side, at most (each is a worker). */
export const MAX_COMPARED = 4;

/** The Compare view opens with the first MAX_COMPARED of these that ship: the line's ends and steps between. */
const COMPARE_LINE = ['lenet5-cifar10', 'alexnet-cifar10', 'resnet20-cifar10', 'convnext-cifar10', 'mobilenet-v2-cifar10', 'vgg11-cifar10', DEFAULT_MODEL_ID];
export const DEFAULT_COMPARISON: readonly string[] = COMPARE_LINE.filter((id) => CARDS.some((c) => c.id === id && c.weights.embedded)).slice(0, MAX_COMPARED);

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
