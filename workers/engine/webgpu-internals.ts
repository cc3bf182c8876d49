/// <reference types="@webgpu/types" />
// The parts of TF.js's WebGPU backend (4.22) that this app reaches past the public API for,
// typed in one place: its GPUDevice (device loss, fault injection), its program runner and
// tensor map (the VideoFrame shader), and its parallel shader compile. A TF.js upgrade that
// changes them breaks here, and gpu-frame.spec.ts and recovery.spec.ts say so.
import * as tf from '@tensorflow/tfjs-core';

export interface WebGpuInternals {
  device: GPUDevice;
  tensorMap: { get(dataId: object): { resource: unknown } };
  makeTensorInfo(shape: number[], dtype: 'int32'): tf.TensorInfo;
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: 'float32', uniforms: { type: 'uint32'; data: number[] }[]): tf.TensorInfo;
  disposeData(dataId: object): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  /** Resolves once every pipeline created under WEBGPU_ENGINE_COMPILE_ONLY is compiled. */
  checkCompileCompletionAsync?(): Promise<void>;
}

/** The current backend's internals if it is webgpu, else null. */
export function webgpuBackend(): WebGpuInternals | null {
  return tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as WebGpuInternals) : null;
}
