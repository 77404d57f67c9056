// The package ships no types; test/helpers/prometheus.ts narrows its output.
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
