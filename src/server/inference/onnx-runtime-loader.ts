export type OnnxRuntime = typeof import('onnxruntime-node');

let loading: Promise<OnnxRuntime> | undefined;

/**
 * Loads onnxruntime-node on first use. It is an optional peer dependency of `aiaas` (only
 * the server needs it), so a missing install is reported with the command that fixes it.
 *
 * @example
 * const { InferenceSession } = await loadOnnxRuntime();
 */
export function loadOnnxRuntime(): Promise<OnnxRuntime> {
  loading ??= import('onnxruntime-node').catch((error: unknown) => {
    loading = undefined;
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`aiaas/server needs onnxruntime-node: run \`npm install onnxruntime-node\` (${detail}).`);
  });
  return loading;
}
