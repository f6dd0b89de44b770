import type { DeploymentFile } from './deployment-files.js';
import type { ResolvedDeploymentOptions } from './deployment-options.js';
import type { DeploymentRecord } from './deployment-table.js';

/**
 * Why deploying `files` as `name` would take a tenant past its limits, or undefined. The model
 * being replaced counts neither as a model nor in bytes; unloaded and failed ones count not at all.
 *
 * @example
 * deploymentLimitProblem(table.records(tenant), 'iris', files, options); // undefined, or the reason
 */
export function deploymentLimitProblem(
  records: readonly DeploymentRecord[],
  name: string,
  files: readonly DeploymentFile[],
  options: ResolvedDeploymentOptions,
): string | undefined {
  const others = records.filter((record) => record.name !== name && record.state !== 'UNAVAILABLE');
  if (others.length + 1 > options.maxModelsPerTenant) {
    return `this API key has ${others.length} models deployed, its limit; unload one first`;
  }
  const bytes = [...others.flatMap((record) => record.files), ...files].reduce(
    (sum, file) => sum + file.size,
    0,
  );
  if (bytes > options.maxBytesPerTenant) {
    return `this API key's deployed models would take ${bytes} bytes, over its limit of ${options.maxBytesPerTenant}`;
  }
  return undefined;
}
