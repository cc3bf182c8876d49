/// <reference types="@webgpu/types" />
// WebGPU: a camera VideoFrame -> the model's normalised input in one compute shader.
// The frame is imported as a GPUExternalTexture: no copy through JavaScript, no intermediate
// texture or tensor, and none at all where the camera delivers GPU-backed frames. One
// dispatch does what frameToInput does in six or seven kernels: crop, average pool, bilinear
// resize (TF.js's half-pixel rule), grey-scale and normalisation.
//
// The shader runs through the TF.js WebGPU backend's own program runner, as its FromPixels
// kernel does, so the backend owns the output buffer and orders the dispatch with the
// model's. TF.js has no public op for this: its fromPixels imports only an
// HTMLVideoElement (absent in a worker) and would still leave crop/resize/normalise as
// separate kernels.
import * as tf from '@tensorflow/tfjs-core';
import type { Preprocess } from '../../models/card';
import { workerCropFor } from '../contracts/geometry';
import { importSource } from '../engine/faults';
import { webgpuBackend } from '../engine/webgpu-internals';


const WORKGROUP = 64;
/** TF.js's PixelsOpType.FROM_PIXELS: the shader header declares the output and a texture at binding 1. */
const FROM_PIXELS = 0;

/** A WGSL f32 literal (the shader's constants are baked in; its key names them). */
function f(x: number): string {
  return `f32(${x})`;
}

/** The program for one (frame size, card) pair; TF.js caches its pipeline by shaderKey. */
class FrameProgram {
  readonly pixelsOpType = FROM_PIXELS;
  readonly variableNames: string[] = [];
  readonly workgroupSize: [number, number, number] = [WORKGROUP, 1, 1];
  readonly outputShape: number[];
  readonly dispatchLayout = { x: [0, 1, 2] };
  dispatch: [number, number, number];
  shaderKey: string;

  constructor(
    private readonly frameW: number,
    private readonly frameH: number,
    private readonly p: Preprocess,
  ) {
    const [h, w] = p.size;
    const c = p.channels ?? 3;
    // [h, w, c] as FromPixels has, so the header's uniform layout (strides, size) fits.
    this.outputShape = [h, w, c];
    // One thread per output pixel.
    this.dispatch = [Math.ceil((h * w) / WORKGROUP), 1, 1];
    this.shaderKey = `convcamFrame_${frameW}x${frameH}_${JSON.stringify(p)}`;
  }

  getUserCode(): string {
    const p = this.p;
    const [outH, outW] = p.size;
    const c = p.channels ?? 3;
    const crop = workerCropFor(this.frameW, this.frameH, p, 'whole-frame'); // a camera frame as it came
    const k = crop.pool;
    // The pooled crop's size, as avgPool 'valid' gives it; bilinear then maps it to the output.
    const ph = Math.floor(crop.height / k);
    const pw = Math.floor(crop.width / k);
    const [m0, m1, m2] = p.mean.map((m) => m * 255) as [number, number, number];
    const [s0, s1, s2] = p.std.map((s) => s * 255) as [number, number, number];
    const store =
      c === 1
        ? `result[index] = ((v.r + v.g + v.b) / 3.0 - ${f(m0)}) / ${f(s0)};`
        : `let n = (v - vec3<f32>(${f(m0)}, ${f(m1)}, ${f(m2)})) / vec3<f32>(${f(s0)}, ${f(s1)}, ${f(s2)});
          result[index * 3] = n.r;
          result[index * 3 + 1] = n.g;
          result[index * 3 + 2] = n.b;`;
    return `
      @group(0) @binding(1) var src: texture_external;

      // fromPixels' integer pixel values.
      fn texel(y: i32, x: i32) -> vec3<f32> {
        return floor(255.0 * textureLoad(src, vec2<i32>(x, y)).rgb);
      }

      // One cell of the ${k}x${k} average pool over the crop.
      fn cell(py: i32, px: i32) -> vec3<f32> {
        var s = vec3<f32>(0.0);
        for (var dy = 0; dy < ${k}; dy++) {
          for (var dx = 0; dx < ${k}; dx++) {
            s += texel(${crop.top} + py * ${k} + dy, ${crop.left} + px * ${k} + dx);
          }
        }
        return s / f32(${k * k});
      }

      fn main(index: i32) {
        if (index >= uniforms.size) {
          return;
        }
        let oy = index / ${outW};
        let ox = index - oy * ${outW};
        // resizeBilinear with half-pixel centres, no corner alignment.
        let ratio = vec2<f32>(f32(${ph}), f32(${pw})) / vec2<f32>(f32(${outH}), f32(${outW}));
        let s = (vec2<f32>(f32(oy), f32(ox)) + 0.5) * ratio - 0.5;
        let lo = vec2<i32>(s);
        let hi = min(vec2<i32>(ceil(s)), vec2<i32>(${ph - 1}, ${pw - 1}));
        let t = s - vec2<f32>(lo);
        let a = cell(lo.x, lo.y);
        let b = cell(lo.x, hi.y);
        let d = cell(hi.x, lo.y);
        let e = cell(hi.x, hi.y);
        let top = a + (b - a) * t.y;
        let bottom = d + (e - d) * t.y;
        let v = top + (bottom - top) * t.x;
        ${store}
      }
    `;
  }
}

/**
 * The model's input from a VideoFrame, on the WebGPU backend. The frame may be closed as
 * soon as this returns: the dispatch that samples it has been submitted.
 */
export function videoFrameToInput(frame: VideoFrame, p: Preprocess): tf.Tensor4D {
  const backend = webgpuBackend();
  if (!backend) throw new Error('videoFrameToInput needs the webgpu backend.');
  const [h, w] = p.size;
  const c = p.channels ?? 3;
  const program = new FrameProgram(frame.displayWidth, frame.displayHeight, p);
  // Imported before any tensor exists, so an import that throws leaves nothing behind.
  const external = backend.device.importExternalTexture({ source: importSource(frame) });
  const texture = backend.makeTensorInfo([frame.displayHeight, frame.displayWidth], 'int32');
  backend.tensorMap.get(texture.dataId).resource = external;
  let out: tf.TensorInfo;
  try {
    out = backend.runWebGPUProgram(program, [texture], 'float32', [
      { type: 'uint32', data: [h * w] },
      { type: 'uint32', data: [c] },
      // The header's unused alpha field: the buffer must cover the whole uniform struct.
      { type: 'uint32', data: [0] },
    ]);
    // An external texture from a VideoFrame expires when the frame is closed, so the
    // dispatch is submitted now rather than batched with the model's.
    backend.endComputePassEncoder();
    backend.submitQueue();
  } finally {
    backend.disposeData(texture.dataId);
  }
  const flat = tf.engine().makeTensorFromTensorInfo(out);
  const input = tf.reshape(flat, [1, h, w, c]) as tf.Tensor4D;
  flat.dispose();
  return input;
}

/** Whether the WebGPU adapter is a software fallback (SwiftShader), where importing is unsafe. */
export async function isFallbackAdapter(): Promise<boolean> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return true;
  const a = adapter as GPUAdapter & { info?: { isFallbackAdapter?: boolean } };
  return Boolean(a.info?.isFallbackAdapter ?? a.isFallbackAdapter);
}
