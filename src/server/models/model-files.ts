import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The models the package ships in `models/`, each made by a script in `scripts/`. */
export const builtInModelNames = ['ref-chat', 'ref-embed', 'ref-classify'] as const;

export type BuiltInModelName = (typeof builtInModelNames)[number];

/** The model version directory inside each model folder (Triton repository layout: `<model>/<version>/model.onnx`). */
export const builtInModelVersion = '1';

function findModelsDirectory(): string {
  // From src/server/models (tsx, vitest) or from a bundle in dist/ (tsup), models/ sits at the package root.
  const start = dirname(fileURLToPath(import.meta.url));
  for (let directory = start; ; directory = dirname(directory)) {
    const candidate = join(directory, 'models');
    if (existsSync(join(candidate, 'ref-chat'))) return candidate;
    if (dirname(directory) === directory) break;
  }
  // Not found (e.g. a package installed without models/): point at the usual place so errors name a real path.
  return join(start, '..', '..', '..', 'models');
}

/** Absolute path of the package's `models/` directory. */
export const builtInModelsDir: string = findModelsDirectory();

/** Absolute path of a built-in model's ONNX file. */
export function builtInModelFile(name: BuiltInModelName): string {
  return join(builtInModelsDir, name, builtInModelVersion, 'model.onnx');
}
