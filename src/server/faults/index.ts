export { ChaosInjector, type ChaosInjectorOptions, defaultChaosKinds } from './chaos-injector.js';
export { FaultAttemptCounter, type FaultAttemptCounterOptions } from './fault-attempt-counter.js';
export {
  activeFaults,
  type DelayFault,
  emptyFaultPlan,
  type FaultActions,
  type FaultDirective,
  type FaultKind,
  type FaultPlan,
  faultActions,
  faultKinds,
  type ResetFault,
  type StatusFault,
  type StreamFault,
} from './fault-directive.js';
export { FaultHeaderError, faultHeaderName, parseFaultHeader } from './fault-header-parser.js';
