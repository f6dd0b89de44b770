/** Reads a server's `/metrics` for the integration tests: every sample by name and labels. */

export interface MetricsScrape {
  contentType: string | null;
  text: string;
  /** The value of one series; 0 when it does not exist (a counter that never moved). */
  value(name: string, labels?: Record<string, string>): number;
}

function seriesId(name: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels)
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([label, value]) => `${label}=${JSON.stringify(value)}`);
  return `${name}{${pairs.join(',')}}`;
}

/** Parses sample lines `name{a="x",b="y"} value` (label values here need no unescaping). */
function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`Not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!;
    }
    samples.set(seriesId(match[1]!, labels), Number(match[3]));
  }
  return samples;
}

export async function scrapeMetrics(baseUrl: string): Promise<MetricsScrape> {
  const response = await fetch(`${baseUrl}/metrics`);
  const text = await response.text();
  const samples = parseSamples(text);
  return {
    contentType: response.headers.get('content-type'),
    text,
    value: (name, labels = {}) => samples.get(seriesId(name, labels)) ?? 0,
  };
}
