// The Tour's state class (src/lib/tour.svelte.ts): its sections, and how often a frame asks
// for its explanation (the gradients at most once a second, the deconvnet every frame).
import { describe, expect, it } from 'vitest';
import { GRADIENTS_EVERY_MS, TourState, explainNext } from '../../src/lib/tour.svelte';
import { TOUR_SECTIONS, imagenetChoices, sectionModel, weightsInWords, type TourSection } from '../../models/tour-sections';
import { CARDS, findCard } from '../../models/registry';
import type { ModelCard } from '../../models/card';

const section = (id: string) => TOUR_SECTIONS.find((s) => s.id === id) as TourSection;
/** A TensorFlow Lite MobileNet as the importer stores it: a card of its own, with the file's α and ρ. */
const tflite: ModelCard = {
  ...findCard('mobilenet-v1-0.25-imagenet'),
  id: 'tflite-mobilenet-v1-0.25-128-quant',
  name: 'MobileNet v1 0.25 128 (TFLite)',
  preprocess: { ...findCard('mobilenet-v1-0.25-imagenet').preprocess, size: [128, 128] },
  tflite: { alpha: 0.25, rho: 128 / 224, dtype: 'UINT8', quantisation: 'per-tensor', file: 'mobilenet_v1_0.25_128_quant.tflite' },
};
const resnet50 = CARDS.find((c) => c.family === 'resnet' && !c.weights.embedded)!;

describe('TourState', () => {
  it('has one entry per section, on the model the registry names, none loaded before start()', () => {
    const tour = new TourState({});
    expect(tour.entries.map((e) => [e.section.id, e.card.id, e.trained])).toEqual(TOUR_SECTIONS.map((s) => [s.id, sectionModel(s).card.id, sectionModel(s).trained]));
    expect(tour.entries.every((e) => e.info === null && e.explain && e.channel === null)).toBe(true);
    expect(tour.ready).toBe(false);
    expect(tour.active).toBe('lenet');
  });

  it('changing the section or the layer drops the maps shown and the picked channel', () => {
    const tour = new TourState({});
    const vgg = tour.entry('vgg');
    tour.chooseChannel(vgg, 5);
    tour.activate('vgg');
    expect(tour.active).toBe('vgg');
    tour.chooseLayer(vgg, 'features.4');
    expect([vgg.layer, vgg.channel, tour.maps, tour.explained]).toEqual(['features.4', null, null, null]);
  });
});

describe('the stored ImageNet models a section can run', () => {
  const usable: ModelCard[] = [
    ...CARDS.filter((c) => c.weights.embedded),
    tflite,
    resnet50,
    // Not ImageNet models: one taught here, one shipped with the app, a CIFAR-10 one with weights stored here.
    { ...tflite, id: 'taught-x', taught: {} as ModelCard['taught'] },
    { ...tflite, id: 'shipped-x', weights: { ...tflite.weights, embedded: true } },
    findCard('mobilenet-v1-cifar10'),
  ];
  it("offers each section only its families' ImageNet models, never a CIFAR-10, shipped or taught one", () => {
    expect(imagenetChoices(section('mobilenet'), usable).map((c) => c.id)).toEqual([tflite.id]);
    expect(imagenetChoices(section('resnet'), usable).map((c) => c.id)).toEqual([resnet50.id]);
    expect(imagenetChoices(section('lenet'), usable)).toEqual([]);
    expect(imagenetChoices(section('norms'), usable)).toEqual([]);
    expect(imagenetChoices(section('mobilenet'), [tflite, tflite])).toHaveLength(1);
  });

  it('says which weights run', () => {
    expect(weightsInWords(tflite, true)).toBe('ImageNet weights imported from the TensorFlow Lite file mobilenet_v1_0.25_128_quant.tflite (α 0.25, 128×128 input)');
    expect(weightsInWords(resnet50, true)).toMatch(/^ImageNet weights stored on this device \(\d+×\d+ input\)$/);
    expect(weightsInWords(findCard('lenet5-cifar10'), false)).toMatch(/^random weights/);
  });

  it('TourState.chooseWeights switches a section to a stored model and back to its CIFAR-10 one', async () => {
    const tour = new TourState({}, { usable: () => usable, tflite: () => [tflite], real: null });
    const mob = tour.entry('mobilenet');
    const cifar = mob.card;
    expect(tour.choices(mob).map((c) => c.id)).toEqual([tflite.id]);
    await tour.chooseWeights(mob, tflite.id);
    expect([mob.card.id, mob.trained, mob.imagenet, mob.info, mob.layer]).toEqual([tflite.id, true, true, null, '']);
    await tour.chooseWeights(mob, 'not-stored');
    expect(mob.card.id).toBe(tflite.id);
    await tour.chooseWeights(mob, null);
    expect([mob.card, mob.trained, mob.imagenet]).toEqual([cifar, mob.cifar.trained, false]);
  });
});

describe('explainNext', () => {
  it('asks every frame for a deconvnet, the gradients at most once per interval, nothing when off', () => {
    expect(explainNext(true, null, 0)).toBe(true);
    expect(explainNext(true, { method: 'deconvnet', at: 100 }, 101)).toBe(true);
    expect(explainNext(true, { method: 'gradients', at: 100 }, 100 + GRADIENTS_EVERY_MS - 1)).toBe(false);
    expect(explainNext(true, { method: 'gradients', at: 100 }, 100 + GRADIENTS_EVERY_MS)).toBe(true);
    expect(explainNext(false, null, 0)).toBe(false);
  });

  it('on a large (ImageNet-size) input, asks for the deconvnet too at most once per interval', () => {
    expect(explainNext(true, null, 0, 224)).toBe(true);
    expect(explainNext(true, { method: 'deconvnet', at: 100 }, 101, 224)).toBe(false);
    expect(explainNext(true, { method: 'deconvnet', at: 100 }, 100 + GRADIENTS_EVERY_MS, 224)).toBe(true);
    expect(explainNext(true, { method: 'deconvnet', at: 100 }, 101, 32)).toBe(true);
  });
});
