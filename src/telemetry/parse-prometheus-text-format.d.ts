// Types for the untyped `parse-prometheus-text-format` (a CommonJS function export).
declare module 'parse-prometheus-text-format' {
  namespace parsePrometheusTextFormat {
    /** One sample of a family; numbers stay strings as written ("1.0", "NaN", "+Inf"). */
    interface PrometheusMetric {
      value?: string;
      labels?: Record<string, string>;
      timestamp_ms?: string;
      buckets?: Record<string, string>;
      quantiles?: Record<string, string>;
      count?: string;
      sum?: string;
    }
    interface PrometheusFamily {
      name: string;
      help: string;
      type: string;
      metrics: PrometheusMetric[];
    }
  }
  function parsePrometheusTextFormat(text: string): parsePrometheusTextFormat.PrometheusFamily[];
  export = parsePrometheusTextFormat;
}
