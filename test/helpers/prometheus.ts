// A small reader of the Prometheus text exposition format (version 0.0.4, as prom-client writes it):
// `# TYPE` lines give each family's type; sample lines are `name{label="value",...} value [timestamp]`
// with \\, \" and \n escapes in label values. (parse-prometheus-text-format drops the labels, count and
// sum of a labelled histogram, so it cannot check ours.)

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/y;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const m = LABEL.exec(text);
    if (!m) throw new Error(`bad labels in: ${line}`);
    labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** Go's ParseFloat, as Prometheus reads values: Inf and NaN in any case (prom-client writes "Nan"). */
function parseValue(v: string): number {
  const lower = v.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const n = Number(v);
  if (Number.isNaN(n)) throw new Error(`bad sample value ${v}`);
  return n;
}

export class Exposition {
  readonly types = new Map<string, string>();
  readonly samples: Sample[] = [];

  constructor(readonly text: string) {
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) this.types.set(type[1], type[2]);
      if (line.startsWith('#')) continue;
      const m = SAMPLE.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      this.samples.push({ name: m[1], labels: m[2] ? parseLabels(m[2], line) : {}, value: parseValue(m[3]) });
    }
  }

  /** The family's declared type (counter, gauge, histogram...), or undefined when not exposed. */
  type(family: string): string | undefined {
    return this.types.get(family);
  }

  /** Samples of exactly this series name whose labels include `labels`. */
  find(name: string, labels: Record<string, string> = {}): Sample[] {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }

  /** Sum of the matching samples (0 when none match). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.find(name, labels).reduce((n, s) => n + s.value, 0);
  }

  /** Summed _count and _sum of the matching histogram series. */
  histogram(family: string, labels: Record<string, string> = {}): { count: number; sum: number } {
    return { count: this.value(`${family}_count`, labels), sum: this.value(`${family}_sum`, labels) };
  }
}
