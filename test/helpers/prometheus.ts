// Reads Prometheus text exposition (as GET /metrics serves it) with parse-prometheus-text-format, and
// looks series up by name and labels.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

interface Sample {
  value?: string;
  labels?: Record<string, string>;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}

export interface Family {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: Sample[];
}

export class Exposition {
  readonly families: Map<string, Family>;

  constructor(readonly text: string) {
    this.families = new Map((parsePrometheusTextFormat(text) as Family[]).map((f) => [f.name, f]));
  }

  family(name: string): Family {
    const f = this.families.get(name);
    if (!f) throw new Error(`no metric family ${name} in the exposition`);
    return f;
  }

  /** Samples of a family whose labels include `labels`. */
  samples(name: string, labels: Record<string, string> = {}): Sample[] {
    return (this.families.get(name)?.metrics ?? []).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  }

  /** Sum of the matching counter/gauge samples (0 when none match). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples(name, labels).reduce((n, m) => n + Number(m.value), 0);
  }

  /** Summed count and sum of the matching histogram series. */
  histogram(name: string, labels: Record<string, string> = {}): { count: number; sum: number } {
    const s = this.samples(name, labels);
    return { count: s.reduce((n, m) => n + Number(m.count), 0), sum: s.reduce((n, m) => n + Number(m.sum), 0) };
  }
}
