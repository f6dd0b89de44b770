// A worker thread's entry when the server runs from its TypeScript sources (vitest, tsx):
// a fresh thread registers tsx itself before importing the `.ts` worker, since Node 20 does not
// apply loader hooks passed in `execArgv` to a thread's entry. The built package never uses it.
// argv: [tsx's ESM API URL, the worker's `.ts` URL].
const [tsxApi, worker] = process.argv.slice(2);
const { register } = await import(tsxApi);
register();
await import(worker);
