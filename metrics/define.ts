// One way to declare a metric on lifeline's registries, so every family is one line that says what it
// is: name, help, labels (and buckets). prom-client's option objects, repeated per family, made each
// metrics file the same block over and over.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function metricsOn(registers: Registry[]) {
  return {
    counter: <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Counter<L>({ name, help, labelNames, registers }),
    gauge: <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Gauge<L>({ name, help, labelNames, registers }),
    histogram: <L extends string = never>(
      name: string,
      help: string,
      buckets: number[],
      labelNames: readonly L[] = [],
    ) => new Histogram<L>({ name, help, labelNames, buckets, registers }),
  };
}
