/**
 * The Prometheus text exposition format (version 0.0.4), written by hand: a family per metric name,
 * `# HELP` and `# TYPE` once, then one sample per label set. Names are checked (a bad one is a bug
 * here, not input); label values are escaped as the format requires, since they carry host names and
 * alert names that come from the network.
 */
export type MetricType = 'counter' | 'gauge';

export type Sample = { labels?: Record<string, string>; value: number };

export type MetricFamily = { name: string; help: string; type: MetricType; samples: Sample[] };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  for (const [name] of entries) if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`bad label name ${JSON.stringify(name)}`);
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

export function formatMetrics(families: MetricFamily[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const family of families) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`bad metric name ${JSON.stringify(family.name)}`);
    if (seen.has(family.name)) throw new Error(`metric ${family.name} given twice`);
    seen.add(family.name);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(`${family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Turns a flat record of counters (`{received_ANNOUNCE: 3, …}`) into one family with the key as a
 * label, which keeps the metric names fixed however many counters a component grows.
 */
export function counterFamily(name: string, help: string, label: string, counters: Record<string, number>): MetricFamily {
  return {
    name,
    help,
    type: 'counter',
    samples: Object.entries(counters)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => ({ labels: { [label]: key }, value })),
  };
}
