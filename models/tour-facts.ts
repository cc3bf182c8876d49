// Each Tour section's idea, read off the model itself: its modules (models/nn.ts), the ops of
// its Sequentials (layers.ts's OpSpec) and its layer profile (profile.ts, shape-only). Nothing
// here is a number from a paper; tests/unit/tour-facts.test.ts checks the results by hand.
// Imports TF.js (through the architectures): the Tour's worker and Node tests run it.
import type { ModelCard } from './card';
import { buildModel, type Classifier } from './builders';
import { BatchNorm2d, Conv2d, Linear, type Module } from './nn';
import { LayerNorm, Sequential, opSpec } from './layers';
import { profile, type LayerRow, type Profile } from './profile';
import { CARDS, findCard } from './registry';
import type { TourSectionId } from './tour-sections';
import {
  addCosts,
  convCost,
  dropoutScales,
  poolOutSize,
  reductionCosts,
  stackedReceptiveField,
  type AlexNetFacts,
  type ConvNeXtFacts,
  type Cost,
  type FamilyFacts,
  type FirstConv,
  type GoogLeNetFacts,
  type LeNetFacts,
  type MobileNetFacts,
  type NormFacts,
  type ResNetFacts,
  type ShortcutKind,
  type VGGFacts,
  type VGGStage,
} from './tour-arithmetic';

/** The shape-only profile of a card's architecture at its input size. */
export function profileOf(card: ModelCard, model: Module): Profile {
  const [h, w] = card.preprocess.size;
  return profile(model, [h, w, card.preprocess.channels ?? 3]);
}

function modules(model: Module): Map<string, Module> {
  return new Map(model.namedModules());
}

function rowOf(p: Profile, name: string): LayerRow {
  const r = p.rows.find((x) => x.name === name);
  if (!r) throw new Error(`The profile has no layer ${name}.`);
  return r;
}

function costOf(r: LayerRow): Cost {
  return { params: r.params, macs: r.macs };
}

/** The values of one parameter (async readback). */
async function values(model: Module, name: string): Promise<number[]> {
  const v = model.variables().find((x) => x.name === name);
  if (!v) throw new Error(`The model has no parameter ${name}.`);
  return Array.from(await v.variable.data());
}

async function lenetFacts(p: Profile, model: Classifier): Promise<LeNetFacts> {
  const { PartialConv2d, Subsample } = await import('./families/lenet');
  const mods = modules(model);
  let c3: LeNetFacts['c3'] = null;
  const subsampling: LeNetFacts['subsampling'] = [];
  for (const [name, m] of mods) {
    if (m instanceof PartialConv2d) {
      const r = rowOf(p, name);
      const cout = m.table.length;
      const [, h, w] = r.outShape as [number, number, number];
      const full = convCost(h, w, m.cin, cout, m.k, { bias: true });
      c3 = { cin: m.cin, cout, k: m.k, table: m.table.map((t) => [...t]), params: r.params, fullParams: full.params, macs: r.macs, fullMacs: full.macs };
    }
    if (m instanceof Subsample) subsampling.push({ name, maps: m.c, coefficient: await values(model, `${name}.weight`), bias: await values(model, `${name}.bias`) });
  }
  return { kind: 'lenet', c3, subsampling, pooling: subsampling.length ? null : '2×2 max-pooling, stride 2, no parameters' };
}

/** Walks a FeaturesClassifier-style Sequential, tracking the spatial size from the profile. */
function sequentialOf(model: Module, name: string): Sequential {
  const s = modules(model).get(name);
  if (!(s instanceof Sequential)) throw new Error(`The model has no Sequential ${name}.`);
  return s;
}

function alexnetFacts(card: ModelCard, p: Profile, model: Module): AlexNetFacts {
  const pools: AlexNetFacts['pools'] = [];
  let size = card.preprocess.size[0];
  sequentialOf(model, 'features').entries.forEach((it, i) => {
    if (it instanceof Conv2d) size = rowOf(p, `features.${i}`).outShape[1]!;
    const spec = opSpec(it);
    if (spec?.kind === 'maxpool') {
      const output = poolOutSize(size, spec.k, spec.s, spec.p, spec.ceil);
      pools.push({ name: `features.${i}`, input: size, k: spec.k, s: spec.s, output, nonOverlapping: poolOutSize(size, spec.s, spec.s, spec.p, spec.ceil) });
      size = output;
    }
  });
  const dropout = sequentialOf(model, 'classifier').entries.flatMap((it, i) => {
    const spec = opSpec(it);
    return spec?.kind === 'dropout' ? [{ name: `classifier.${i}`, p: spec.p, ...dropoutScales(spec.p) }] : [];
  });
  return { kind: 'alexnet', pools, dropout };
}

export function firstConv(card: ModelCard, model: Module): FirstConv {
  const first = [...model.namedModules()].find(([, m]) => m instanceof Conv2d) as [string, Conv2d] | undefined;
  if (!first) throw new Error(`${card.name} has no convolution.`);
  const [name, conv] = first;
  const r = rowOf(profileOf(card, model), name);
  const padding = conv.opts.padding ?? 0;
  return { modelId: card.id, name, k: conv.k, stride: conv.opts.stride ?? 1, padding: typeof padding === 'number' ? padding : 0, cin: conv.cin, cout: conv.cout, out: r.outShape[1]!, macs: r.macs };
}

function vggFacts(p: Profile, model: Module): VGGFacts {
  const stages: VGGStage[] = [];
  let convs: [string, Conv2d][] = [];
  const close = () => {
    if (!convs.length) return;
    const rows = convs.map(([n]) => rowOf(p, n));
    const kernels = convs.map(([, c]) => c.k);
    const rf = stackedReceptiveField(kernels);
    const size = rows[0]!.outShape[1]!;
    const [cin, cout] = [convs[0]![1].cin, convs.at(-1)![1].cout];
    stages.push({
      stage: stages.length + 1,
      convs: convs.map(([n]) => n),
      kernels,
      size,
      cin,
      cout,
      receptiveField: rf,
      stacked: addCosts(rows.map(costOf)),
      single: convCost(size, size, cin, cout, rf, { bias: convs[0]![1].opts.bias ?? true }),
    });
    convs = [];
  };
  sequentialOf(model, 'features').entries.forEach((it, i) => {
    if (it instanceof Conv2d) convs.push([`features.${i}`, it]);
    if (opSpec(it)?.kind === 'maxpool') close();
  });
  close();
  return { kind: 'vgg', stages };
}

async function googlenetFacts(p: Profile, model: Module): Promise<GoogLeNetFacts> {
  const { Inception } = await import('./families/googlenet');
  const mods = modules(model);
  const conv = (n: string) => {
    const c = mods.get(n);
    if (!(c instanceof Conv2d)) throw new Error(`${n} is not a convolution.`);
    return c;
  };
  const out: GoogLeNetFacts['modules'] = [];
  for (const [name, m] of mods) {
    if (!(m instanceof Inception)) continue;
    const b1 = rowOf(p, `${name}.branch1.conv`);
    const size = b1.outShape[1]!;
    const cin = conv(`${name}.branch1.conv`).cin;
    const branches = ['branch2', 'branch3'].map((b) => {
      const [red, main] = [conv(`${name}.${b}.0.conv`), conv(`${name}.${b}.1.conv`)];
      return {
        name: b,
        k: main.k,
        reduce: red.cout,
        cout: main.cout,
        withReduction: addCosts([costOf(rowOf(p, `${name}.${b}.0.conv`)), costOf(rowOf(p, `${name}.${b}.1.conv`))]),
        without: convCost(size, size, cin, main.cout, main.k),
      };
    });
    const pool = costOf(rowOf(p, `${name}.branch4.1.conv`));
    const fixed = [costOf(b1), pool];
    out.push({
      name,
      size,
      cin,
      branches,
      withReduction: addCosts([...fixed, ...branches.map((b) => b.withReduction)]),
      without: addCosts([...fixed, ...branches.map((b) => b.without)]),
    });
  }
  // The seed's worked example (section 5 of the paper's reasoning): 28x28x192 -> 28x28x32 by a 5x5, with a 1x1 to 16 first.
  const ex = { h: 28, w: 28, cin: 192, cout: 32, k: 5, reduce: 16 };
  return { kind: 'googlenet', example: { ...ex, ...reductionCosts(ex.h, ex.w, ex.cin, ex.cout, ex.k, ex.reduce) }, modules: out };
}

async function resnetFacts(cards: ModelCard[]): Promise<ResNetFacts> {
  const { CifarBlock } = await import('./families/resnet-cifar');
  const { BasicBlock, Bottleneck } = await import('./families/resnet');
  const models: ResNetFacts['models'] = [];
  for (const card of cards) {
    const model = await buildModel(card);
    const mods = modules(model);
    const blocks: ResNetFacts['models'][number]['blocks'] = [];
    for (const [name, m] of mods) {
      if (!(m instanceof CifarBlock || m instanceof BasicBlock || m instanceof Bottleneck)) continue;
      const convs = [...m.namedModules()].filter(([n, c]) => c instanceof Conv2d && !n.startsWith('downsample')).map(([, c]) => c as Conv2d);
      const cin = convs[0]!.cin;
      const cout = convs.at(-1)!.cout;
      const stride = Math.max(...convs.map((c) => c.opts.stride ?? 1));
      const hasProjection = [...m.namedModules()].some(([n]) => n === 'downsample');
      const reshapes = stride !== 1 || cin !== cout;
      const shortcut: ShortcutKind = hasProjection ? 'projection' : reshapes ? 'zero-pad' : 'identity';
      blocks.push({ name, shortcut, cin, cout, stride, params: m.paramCount() });
    }
    models.push({ modelId: card.id, name: card.name, blocks });
  }
  return { kind: 'resnet', models };
}

/** The innermost module holding both layers: "features.1.dw.0", "features.1.pw.0" -> "features.1". */
function commonModule(a: string, b: string): string {
  const [x, y] = [a.split('.'), b.split('.')];
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return x.slice(0, i).join('.') || a;
}

function mobilenetFacts(card: ModelCard, p: Profile, model: Module): MobileNetFacts {
  const mods = modules(model);
  const blocks: MobileNetFacts['blocks'] = [];
  p.rows.forEach((r, i) => {
    const dw = mods.get(r.name);
    if (!(dw instanceof Conv2d) || (dw.opts.groups ?? 1) === 1) return;
    const next = p.rows[i + 1];
    const pw = next && mods.get(next.name);
    if (!(pw instanceof Conv2d) || pw.k !== 1 || (pw.opts.groups ?? 1) !== 1) return;
    const size = next!.outShape[1]!;
    blocks.push({
      name: commonModule(r.name, next!.name),
      size,
      cin: dw.cin,
      cout: pw.cout,
      separable: addCosts([costOf(r), costOf(next!)]),
      standard: convCost(size, size, dw.cin, pw.cout, dw.k),
    });
  });
  const cfg = card.config as { alpha?: number; widthMult?: number };
  return { kind: 'mobilenet', alpha: cfg.alpha ?? cfg.widthMult ?? null, input: card.preprocess.size[0], blocks };
}

async function convnextFacts(card: ModelCard, p: Profile, model: Module): Promise<ConvNeXtFacts> {
  const { CNBlock } = await import('./families/convnext');
  const found = [...model.namedModules()].find(([, m]) => m instanceof CNBlock);
  if (!found) throw new Error(`${card.name} has no ConvNeXt block.`);
  const [name, block] = found;
  const seq = [...block.namedModules()].find(([n]) => n === 'block')![1] as Sequential;
  const [dw, norm, fc1, fc2] = [seq.at<Conv2d>(0), seq.at<LayerNorm>(2), seq.at<Linear>(3), seq.at<Linear>(5)];
  const dwRow = rowOf(p, `${name}.block.0`);
  const fc1Row = rowOf(p, `${name}.block.3`);
  const fc2Row = rowOf(p, `${name}.block.5`);
  const inShape = dwRow.outShape.slice(1);
  // The Linears run per pixel on a [pixels, channels] view (layers.ts linearLastAxis): their shapes are the map's.
  const wide = [...inShape.slice(0, -1), fc1.fout];
  const scale = block.paramCount() - dw.paramCount() - norm.paramCount() - fc1.paramCount() - fc2.paramCount();
  const steps = [
    { step: 'input', shape: inShape, params: 0 },
    { step: `${dw.k}×${dw.k} depthwise conv (groups ${dw.opts.groups})`, shape: dwRow.outShape.slice(1), params: dwRow.params },
    { step: 'LayerNorm over channels', shape: dwRow.outShape.slice(1), params: norm.paramCount() },
    { step: `Linear ${fc1.fin} → ${fc1.fout} (1×1, ${fc1.fout / fc1.fin}× expansion)`, shape: wide, params: fc1Row.params },
    { step: 'GELU', shape: wide, params: 0 },
    { step: `Linear ${fc2.fin} → ${fc2.fout} (1×1)`, shape: [...inShape.slice(0, -1), fc2.fout], params: fc2Row.params },
    { step: 'layer scale (per channel)', shape: inShape, params: scale },
    { step: '+ input (residual)', shape: inShape, params: 0 },
  ];
  return { kind: 'convnext', block: name, steps };
}

async function normFacts(lrnCard: ModelCard, bnCard: ModelCard): Promise<NormFacts> {
  const alex = await buildModel(lrnCard);
  const layers = sequentialOf(alex, 'features').entries.flatMap((it, i) => {
    const s = opSpec(it);
    return s?.kind === 'lrn' ? [{ name: `features.${i}`, size: s.size, alpha: s.alpha, beta: s.beta, k: s.k }] : [];
  });
  const res = await buildModel(bnCard);
  const bns = [...res.namedModules()].filter(([, m]) => m instanceof BatchNorm2d) as [string, BatchNorm2d][];
  let trainable = 0;
  let buffers = 0;
  for (const [, bn] of bns) {
    for (const [, s] of bn.namedSpecs()) {
      const n = s.torchShape.reduce((a, b) => a * b, 1);
      if (s.buffer) buffers += n;
      else trainable += n;
    }
  }
  return {
    kind: 'norms',
    lrn: { modelId: lrnCard.id, layers, params: 0 },
    batchNorm: { modelId: bnCard.id, layers: bns.length, channels: bns.reduce((a, [, b]) => a + b.c, 0), trainable, buffers, totalParams: res.paramCount() },
  };
}

/**
 * The facts of a section, read off the definition of `card`'s architecture; `running` is the
 * model as the Tour runs it (materialised), whose own weights give LeNet's S2 values.
 * Sections that compare read the other models' definitions.
 */
export async function tourFacts(section: TourSectionId, card: ModelCard, running: Classifier): Promise<FamilyFacts> {
  const def = await buildModel(card);
  const p = profileOf(card, def);
  switch (section) {
    case 'lenet': return lenetFacts(p, running);
    case 'alexnet': return alexnetFacts(card, p, def);
    case 'zfnet': {
      // AlexNet at the same input size: the CIFAR-10 pair, or the papers' ImageNet networks.
      const alexCard = CARDS.find((c) => c.family === 'alexnet' && c.preprocess.size[0] === card.preprocess.size[0]);
      if (!alexCard) throw new Error(`No AlexNet at ${card.preprocess.size[0]} pixels to compare ${card.name} with.`);
      return { kind: 'zfnet', alexnet: firstConv(alexCard, await buildModel(alexCard)), zfnet: firstConv(card, def) };
    }
    case 'vgg': return vggFacts(p, def);
    case 'googlenet': return googlenetFacts(p, def);
    case 'resnet': return resnetFacts(card.preprocess.size[0] === 32 ? [card, findCard('resnet18-imagenet')] : [card]);
    case 'mobilenet': return mobilenetFacts(card, p, def);
    case 'convnext': return convnextFacts(card, p, def);
    case 'norms': return normFacts(findCard('alexnet-cifar10'), findCard('resnet20-cifar10'));
  }
}
