#!/usr/bin/env node
import { processIo } from './cli-io.js';
import { runCli } from './cli-runner.js';

// The bin entry: everything testable lives in cli-runner.ts; this only binds the real process.
try {
  process.exitCode = await runCli(process.argv.slice(2), processIo);
} catch (error) {
  process.stderr.write(`aiaas: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
