/** A metric's kind as the exposition format's `# TYPE` line names it. */
export type MetricType = 'counter' | 'gauge';

/** One labelled value of a metric. */
export interface MetricSample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** A metric: its name, help text, type and current samples. */
export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: readonly MetricSample[];
}

/** The content type of the text exposition format, version 0.0.4. */
export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

/** HELP text escapes only backslash and newline (the format's rule for docstrings). */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label values also escape the double quote that delimits them. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Values as Go's ParseFloat reads them, which is what scrapers use. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/**
 * Renders metrics in the Prometheus text exposition format (0.0.4): per family a `# HELP`
 * and a `# TYPE` line, then one `name{label="value",...} value` line per sample, and a final
 * newline. Families without samples still announce themselves, so a scraper sees every
 * metric from the first scrape.
 *
 * @example
 * renderPrometheusText([{ name: 'aiaas_batches_total', help: 'Model runs.', type: 'counter',
 *   samples: [{ labels: { model: 'ref-embed' }, value: 3 }] }]);
 * // '# HELP aiaas_batches_total Model runs.\n# TYPE aiaas_batches_total counter\naiaas_batches_total{model="ref-embed"} 3\n'
 */
export function renderPrometheusText(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      lines.push(`${family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
