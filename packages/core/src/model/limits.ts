/** Bounds on an untrusted topology. Every number is checked before TF.js allocates anything. */
export interface ModelLimits {
  /** Characters of the JSON text (the contract caps strings at 256 KB too). */
  maxJsonChars: number;
  /** Nesting depth of JSON objects/arrays. */
  maxDepth: number;
  /** JSON values (objects, arrays, scalars) in the whole document. */
  maxJsonValues: number;
  maxLayers: number;
  maxUnits: number;
  maxFilters: number;
  maxKernelSize: number;
  maxStrides: number;
  maxPoolSize: number;
  maxEmbeddingInputDim: number;
  maxEmbeddingOutputDim: number;
  /** Any single dimension of any shape. */
  maxDimension: number;
  /** Elements of one example's activation at any layer (memory per example). */
  maxActivationElements: number;
  /** Total parameters; exercises usually set a much smaller budget on top. */
  maxParams: number;
}

export const DEFAULT_MODEL_LIMITS: ModelLimits = {
  maxJsonChars: 262_144,
  maxDepth: 64,
  maxJsonValues: 100_000,
  maxLayers: 64,
  maxUnits: 4096,
  maxFilters: 512,
  maxKernelSize: 11,
  maxStrides: 11,
  maxPoolSize: 11,
  maxEmbeddingInputDim: 20_000,
  maxEmbeddingOutputDim: 1024,
  maxDimension: 100_000,
  maxActivationElements: 4_000_000,
  maxParams: 20_000_000,
};

export function resolveLimits(limits: Partial<ModelLimits> = {}): ModelLimits {
  return { ...DEFAULT_MODEL_LIMITS, ...limits };
}
