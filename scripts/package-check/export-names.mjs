// Every class the package exports keeps its own name in the build (`error.name`, logs, instanceof
// messages): the bundler renames a class that refers to itself unless the class says its name.
const entryPoints = ['aiaas', 'aiaas/server', 'aiaas/testing', 'aiaas/telemetry'];
const renamed = [];
let classes = 0;
for (const entryPoint of entryPoints) {
  const exported = await import(entryPoint);
  for (const [name, value] of Object.entries(exported)) {
    if (typeof value !== 'function' || value.prototype === undefined || !/^[A-Z]/.test(name)) continue;
    classes += 1;
    if (value.name !== name) renamed.push(`${entryPoint}: ${name} is named ${value.name}`);
  }
}
if (renamed.length > 0) {
  console.error(`Exported classes with another name in the build:\n${renamed.join('\n')}`);
  process.exit(1);
}
console.log(`${classes} exported classes keep their names`);
