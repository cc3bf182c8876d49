// The Tour's state class (src/lib/tour.svelte.ts): its sections, and how often a frame asks
// for its explanation (the gradients at most once a second, the deconvnet every frame).
import { describe, expect, it } from 'vitest';
import { GRADIENTS_EVERY_MS, TourState, explainNext } from '../../src/lib/tour.svelte';
import { TOUR_SECTIONS, sectionModel } from '../../models/tour-sections';

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

describe('explainNext', () => {
  it('asks every frame for a deconvnet, the gradients at most once per interval, nothing when off', () => {
    expect(explainNext(true, null, 0)).toBe(true);
    expect(explainNext(true, { method: 'deconvnet', at: 100 }, 101)).toBe(true);
    expect(explainNext(true, { method: 'gradients', at: 100 }, 100 + GRADIENTS_EVERY_MS - 1)).toBe(false);
    expect(explainNext(true, { method: 'gradients', at: 100 }, 100 + GRADIENTS_EVERY_MS)).toBe(true);
    expect(explainNext(false, null, 0)).toBe(false);
  });
});
