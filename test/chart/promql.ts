// What a PromQL expression reads, found with Prometheus' own grammar (@prometheus-io/lezer-promql),
// so a dashboard query or an alert rule can be checked against the metrics the operator exports.
import { parser } from '@prometheus-io/lezer-promql';
import type { Registry } from 'prom-client';
import { KubeConfig } from '@kubernetes/client-node';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/observability/logger.js';
import { createOperator } from '../../src/operator.js';
import { defaultAgentProfile } from '../../src/resources/profile.js';

export interface PromqlUse {
  /** Metric names in vector selectors. */
  metrics: string[];
  /** Label names in matchers and in by/without/on/ignoring lists. */
  labels: string[];
  /** Text the parser could not make sense of; empty for a valid expression. */
  errors: string[];
}

/** Grafana's interval variables are not PromQL; everything else the dashboard uses sits inside label values. */
const grafanaIntervals = /\$__(rate_interval|interval|range)\b/g;

export function promqlUse(expression: string): PromqlUse {
  const expr = expression.replace(grafanaIntervals, '5m');
  const use: PromqlUse = { metrics: [], labels: [], errors: [] };
  parser.parse(expr).iterate({
    enter(node) {
      const text = expr.slice(node.from, node.to);
      if (node.type.isError) use.errors.push(text || `(missing at ${node.from})`);
      else if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') use.metrics.push(text);
      else if (node.name === 'LabelName') use.labels.push(text);
      else if (node.name === 'QuotedLabelName' || node.name === 'QuotedIdentifier')
        use.errors.push(`quoted name ${text} (not supported by this check)`);
    },
  });
  if (use.labels.includes('__name__')) use.errors.push('__name__ matcher (not supported by this check)');
  return use;
}

export interface ExportedSeries {
  /** Series name -> the label names the operator gives it. */
  series: Map<string, Set<string>>;
}

/**
 * The series the operator exports, read from the registry it builds: the real createOperator wiring
 * (manager, Atom controller, platform poller, work queue, default process metrics), pointed at an
 * address nothing listens on and never started, so no request is made. Histograms expose
 * _bucket (with `le`), _sum and _count; summaries the name (with `quantile`), _sum and _count.
 */
export async function exportedSeries(): Promise<ExportedSeries> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'none', server: 'https://127.0.0.1:9', skipTLSVerify: true }],
    users: [{ name: 'none', token: 'unused' }],
    contexts: [{ name: 'none', cluster: 'none', user: 'none' }],
    currentContext: 'none',
  });
  const config = parseConfig({ argv: [], env: {}, podNamespace: () => 'default', hostname: () => 'pod-0' });
  const operator = createOperator({
    kubeConfig,
    config,
    logger: silentLogger(),
    profile: defaultAgentProfile,
    releasePublicKeys: [],
  });
  const registry: Registry = operator.manager.metrics.registry;
  const series = new Map<string, Set<string>>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const labels = new Set<string>(labelNamesOf(registry, metric.name));
    for (const value of metric.values) for (const l of Object.keys(value.labels)) labels.add(l);
    // Bucket and quantile labels belong to one series of the family, added back below.
    labels.delete('le');
    labels.delete('quantile');
    const add = (name: string, extra: string[] = []) => series.set(name, new Set([...labels, ...extra]));
    if (String(metric.type) === 'histogram') {
      add(`${metric.name}_bucket`, ['le']);
      add(`${metric.name}_sum`);
      add(`${metric.name}_count`);
    } else if (String(metric.type) === 'summary') {
      add(metric.name, ['quantile']);
      add(`${metric.name}_sum`);
      add(`${metric.name}_count`);
    } else {
      add(metric.name);
    }
  }
  await operator.atoms.poller.stop();
  return { series };
}

function labelNamesOf(registry: Registry, name: string): string[] {
  const metric = registry.getSingleMetric(name) as unknown as { labelNames?: readonly string[] } | undefined;
  return [...(metric?.labelNames ?? [])];
}
