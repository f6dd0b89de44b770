import { arch, cpus, loadavg, platform, totalmem } from 'node:os';
import type { MachineInfo } from './result-types.js';

export function machineInfo(): MachineInfo {
  const processors = cpus();
  return {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryBytes: totalmem(),
    node: process.version,
    v8: process.versions.v8,
    platform: platform(),
    arch: arch(),
    loadAverageAtStart: loadavg().map((load) => Math.round(load * 100) / 100),
  };
}
