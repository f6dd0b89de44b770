import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so scripts and tests run from any working directory. */
export const repositoryRoot: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the training data the project ships lives. */
export const scriptsDataDir: string = join(repositoryRoot, 'scripts', 'data');

/** Where the trained models are written (the package's `models/`). */
export const modelsOutputDir: string = join(repositoryRoot, 'models');
