/** Server options of model deployment (Triton's repository extension). */
export interface DeploymentOptions {
  /** Most models one tenant (API key) may have deployed at once (default 8). */
  maxDeployedModelsPerTenant?: number;
  /** Most bytes of ONNX files one tenant may have deployed at once (default 256 MiB). */
  maxDeployedBytesPerTenant?: number;
}

export interface ResolvedDeploymentOptions {
  maxModelsPerTenant: number;
  maxBytesPerTenant: number;
}

export const defaultMaxDeployedModelsPerTenant = 8;
export const defaultMaxDeployedBytesPerTenant = 256 * 1024 * 1024;

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`${name} must be a positive integer, got ${value}.`);
  return value;
}

/** Applies the defaults and rejects impossible values with a message naming the option. */
export function resolveDeploymentOptions(options: DeploymentOptions): ResolvedDeploymentOptions {
  return {
    maxModelsPerTenant: positiveInteger(
      options.maxDeployedModelsPerTenant ?? defaultMaxDeployedModelsPerTenant,
      'maxDeployedModelsPerTenant',
    ),
    maxBytesPerTenant: positiveInteger(
      options.maxDeployedBytesPerTenant ?? defaultMaxDeployedBytesPerTenant,
      'maxDeployedBytesPerTenant',
    ),
  };
}
