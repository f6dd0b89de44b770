import { InvalidOptionError } from '../../errors/index.js';
import type {
  NetworkArchitecture,
  NetworkParameters,
  TrainingExamples,
  TrainingResumeState,
  TrainingSpec,
} from './training-contract.js';

const activations = new Set(['relu', 'sigmoid', 'tanh', 'softmax', 'linear']);
const losses = new Set(['binary_crossentropy', 'categorical_crossentropy', 'mse']);
const optimizers = new Set(['adam', 'sgd']);
/** Far beyond the service's needs; keeps one spec from asking for gigabytes of parameters. */
const maxUnits = 65_536;

function refuse(option: string, message: string, allowed: string): never {
  throw new InvalidOptionError(`${option}: ${message}`, { option, allowed });
}

function checkInteger(
  option: string,
  value: unknown,
  minimum: number,
  maximum = Number.MAX_SAFE_INTEGER,
): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum)
    refuse(
      option,
      `${String(value)} is not an integer from ${minimum} to ${maximum}`,
      `an integer from ${minimum} to ${maximum}`,
    );
}

function checkNumber(option: string, value: unknown, minimum: number, exclusive: boolean): void {
  const ok =
    typeof value === 'number' && Number.isFinite(value) && (exclusive ? value > minimum : value >= minimum);
  if (!ok)
    refuse(
      option,
      `${String(value)} is not a finite number ${exclusive ? 'above' : 'from'} ${minimum}`,
      `a finite number ${exclusive ? 'above' : 'from'} ${minimum}`,
    );
}

/** The shapes of `[weights_1, bias_1, ...]` for an architecture: weights are `units x inputs`. */
export function parameterShapes(architecture: NetworkArchitecture): number[][] {
  return architecture.layers.flatMap((layer, index) => {
    const inputs = index === 0 ? architecture.inputDim : architecture.layers[index - 1]!.units;
    return [[layer.units, inputs], [layer.units]];
  });
}

export function validateArchitecture(architecture: NetworkArchitecture, option = 'architecture'): void {
  checkInteger(`${option}.inputDim`, architecture?.inputDim, 1, maxUnits);
  if (!Array.isArray(architecture.layers) || architecture.layers.length === 0)
    refuse(
      `${option}.layers`,
      'a network needs at least one layer',
      'one or more {units, activation} layers',
    );
  architecture.layers.forEach((layer, index) => {
    checkInteger(`${option}.layers[${index}].units`, layer?.units, 1, maxUnits);
    if (!activations.has(layer.activation))
      refuse(
        `${option}.layers[${index}].activation`,
        `unknown activation ${JSON.stringify(layer.activation)}`,
        [...activations].join(', '),
      );
    // A one-unit softmax always outputs 1: nothing could be learned through it.
    if (layer.activation === 'softmax' && layer.units < 2)
      refuse(
        `${option}.layers[${index}].units`,
        'a softmax layer needs at least 2 units',
        'at least 2 units for softmax',
      );
  });
}

/** Parameters (initial, checkpointed or read from ONNX) must match the architecture's shapes and be finite. */
export function validateParameters(
  parameters: NetworkParameters,
  architecture: NetworkArchitecture,
  option: string,
): void {
  const shapes = parameterShapes(architecture);
  if (!Array.isArray(parameters) || parameters.length !== shapes.length)
    refuse(
      option,
      `expected ${shapes.length} arrays ([weights, bias] per layer), got ${Array.isArray(parameters) ? parameters.length : typeof parameters}`,
      `${shapes.length} Float32Arrays`,
    );
  shapes.forEach((shape, index) => {
    const expected = shape.reduce((product, size) => product * size, 1);
    const parameter = parameters[index];
    if (!(parameter instanceof Float32Array) || parameter.length !== expected)
      refuse(
        `${option}[${index}]`,
        `expected a Float32Array of ${expected} values (${shape.join('x')})`,
        `a Float32Array of ${shape.join('x')}`,
      );
    if (!parameter.every(Number.isFinite))
      refuse(`${option}[${index}]`, 'holds a value that is not finite', 'finite values');
  });
}

/** Throws an InvalidOptionError naming the field when a spec cannot be trained. */
export function validateTrainingSpec(spec: TrainingSpec): void {
  validateArchitecture(spec.architecture);
  const { layers } = spec.architecture;
  const last = layers.at(-1)!;
  const lastField = `architecture.layers[${layers.length - 1}].activation`;
  if (!losses.has(spec.loss))
    refuse('loss', `unknown loss ${JSON.stringify(spec.loss)}`, [...losses].join(', '));
  if (spec.loss === 'binary_crossentropy' && last.activation !== 'sigmoid')
    refuse(lastField, `binary_crossentropy needs a sigmoid output layer, not ${last.activation}`, 'sigmoid');
  if (spec.loss === 'categorical_crossentropy' && last.activation !== 'softmax')
    refuse(
      lastField,
      `categorical_crossentropy needs a softmax output layer, not ${last.activation}`,
      'softmax',
    );
  if (!optimizers.has(spec.optimizer))
    refuse('optimizer', `unknown optimizer ${JSON.stringify(spec.optimizer)}`, [...optimizers].join(', '));
  checkNumber('learningRate', spec.learningRate, 0, true);
  checkNumber('l2', spec.l2, 0, false);
  checkInteger('epochs', spec.epochs, 1, 100_000);
  checkInteger('batchSize', spec.batchSize, 1, 65_536);
  checkInteger('seed', spec.seed, 0, 0xffffffff);
  if (spec.earlyStoppingPatience !== undefined)
    checkInteger('earlyStoppingPatience', spec.earlyStoppingPatience, 1, 100_000);
  if (spec.initialParameters !== undefined)
    validateParameters(spec.initialParameters, spec.architecture, 'initialParameters');
}

/**
 * Examples must hold `rows` rows of finite inputs and targets of the architecture's widths;
 * cross-entropy targets are probabilities.
 */
export function validateExamples(examples: TrainingExamples, spec: TrainingSpec, option: string): void {
  const { architecture } = spec;
  checkInteger(`${option}.rows`, examples?.rows, 1);
  const outputs = architecture.layers.at(-1)!.units;
  for (const [field, width] of [
    ['inputs', architecture.inputDim],
    ['targets', outputs],
  ] as const) {
    const values = examples[field];
    if (!(values instanceof Float32Array) || values.length !== examples.rows * width)
      refuse(
        `${option}.${field}`,
        `expected a Float32Array of ${examples.rows} x ${width} values, got ${values instanceof Float32Array ? values.length : typeof values}`,
        `${examples.rows} x ${width} float32 values`,
      );
    const bad = values.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0)
      refuse(
        `${option}.${field}`,
        `row ${Math.floor(bad / width)} holds a value that is not finite`,
        'finite values',
      );
  }
  if (spec.loss === 'mse') return;
  const outside = examples.targets.findIndex((target) => target < 0 || target > 1);
  if (outside >= 0)
    refuse(
      `${option}.targets`,
      `row ${Math.floor(outside / outputs)} holds ${examples.targets[outside]}, but ${spec.loss} targets are from 0 to 1`,
      'targets from 0 to 1',
    );
}

export function validateResumeState(resume: TrainingResumeState, spec: TrainingSpec): void {
  checkInteger('resume.epoch', resume?.epoch, 0, spec.epochs);
  checkInteger('resume.step', resume.step, 0);
  validateParameters(resume.parameters, spec.architecture, 'resume.parameters');
  const expected = spec.optimizer === 'adam' ? 2 * resume.parameters.length : 0;
  if (!Array.isArray(resume.optimizerState) || resume.optimizerState.length !== expected)
    refuse(
      'resume.optimizerState',
      `expected ${expected} arrays for ${spec.optimizer}`,
      `${expected} Float32Arrays`,
    );
  if (!Array.isArray(resume.randomState))
    refuse('resume.randomState', 'is not an array', 'the saved random state');
}
