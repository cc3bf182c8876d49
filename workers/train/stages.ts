// Backbone stages for freezing, derived from parameter names. Pure, unit-tested.
// A stage is a top-level module (conv1, layer2, block3, ...), or one numbered item of a
// top-level Sequential (features.4 in VGG and MobileNet, stages.1 in ConvNeXt).

const SEQUENTIAL = new Set(['features', 'stages', 'blocks', 'layers', 'downsample_layers']);

export function stageOf(name: string): string {
  const [a, b] = name.split('.');
  return SEQUENTIAL.has(a!) && b !== undefined && /^\d+$/.test(b) ? `${a}.${b}` : a!;
}

/** Stages in parameter order, without the head (which is never frozen). */
export function stagesOf(paramNames: readonly string[], headName: string): string[] {
  const out: string[] = [];
  for (const n of paramNames) {
    if (n === headName || n.startsWith(`${headName}.`)) continue;
    const s = stageOf(n);
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** Whether parameter `name` is frozen when the first `frozen` stages are. */
export function isFrozen(name: string, stages: readonly string[], frozen: number): boolean {
  const i = stages.indexOf(stageOf(name));
  return i >= 0 && i < frozen;
}
