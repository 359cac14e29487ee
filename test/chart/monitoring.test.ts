// Monitoring that works on the day it is installed: every dashboard query and alert reads only
// series the operator exports (checked against the registry the operator builds, not a list), every
// alert links to a runbook section that exists and names the Atom it is about, and the Prometheus
// Operator objects appear by themselves where its APIs are served.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chartDir, helmWithValues, only, prometheusOperatorApis, render, repoRoot, scenarios } from './helm.js';
import { exportedSeries, promqlUse } from './promql.js';

/** Labels Prometheus adds to every series it scrapes through a ServiceMonitor or PodMonitor. */
const targetLabels = ['job', 'instance', 'namespace', 'pod', 'service', 'endpoint', 'container'];
/** Series Prometheus itself writes for each scrape target. */
const prometheusSeries = new Map([['up', new Set<string>()]]);

let series: Map<string, Set<string>>;
beforeAll(async () => {
  series = (await exportedSeries()).series;
}, 30_000);

/** Problems of one expression: parse errors, unknown series, labels none of its series carry. */
function problems(expr: string): string[] {
  const use = promqlUse(expr);
  const out = use.errors.map((e) => `cannot parse near "${e}"`);
  const known = new Set(targetLabels);
  for (const m of use.metrics) {
    const labels = series.get(m) ?? prometheusSeries.get(m);
    if (!labels) out.push(`${m} is not exported by the operator`);
    for (const l of labels ?? []) known.add(l);
  }
  for (const l of use.labels) if (!known.has(l)) out.push(`label ${l} is on none of ${use.metrics.join(', ')}`);
  if (use.metrics.length === 0) out.push('reads no metric');
  return out;
}

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}
const dashboardSchema = z
  .object({
    uid: z.string(),
    title: z.string(),
    panels: z.array(z.looseObject({ title: z.string(), type: z.string() })),
    templating: z.object({ list: z.array(z.looseObject({ name: z.string(), type: z.string() })) }),
  })
  .loose();
const dashboardText = readFileSync(join(chartDir, 'dashboards', 'atom-operator.json'), 'utf8');
const dashboard = dashboardSchema.parse(JSON.parse(dashboardText));

function queries(): { where: string; expr: string }[] {
  const out: { where: string; expr: string }[] = [];
  const walk = (panels: Panel[]) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) out.push({ where: `panel "${p.title}"`, expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(dashboard.panels as unknown as Panel[]);
  for (const v of dashboard.templating.list) {
    const definition = (v as { definition?: string }).definition ?? '';
    const labelValues = /^label_values\(([^,]+),\s*(\w+)\)$/.exec(definition);
    if (labelValues) out.push({ where: `variable $${v.name}`, expr: `${labelValues[1]}{${labelValues[2]}!=""}` });
  }
  return out;
}

interface Rule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
const rulesOf = (values: Record<string, unknown>, flags: string[] = []): Rule[] =>
  (
    only(render(values, flags), 'PrometheusRule') as unknown as { spec: { groups: { rules: Rule[] }[] } }
  ).spec.groups.flatMap((g) => g.rules);

describe('the check itself', () => {
  it('finds the operator families in the registry, histogram series included', () => {
    expect(series.get('atom_operator_certificate_expiry_timestamp_seconds')).toEqual(
      new Set(['atom_namespace', 'atom']),
    );
    expect(series.get('controller_runtime_reconcile_time_seconds_bucket')).toContain('le');
    expect(series.has('controller_runtime_reconcile_time_seconds_count')).toBe(true);
    expect(series.has('controller_runtime_reconcile_time_seconds')).toBe(false);
    expect(series.has('workqueue_depth')).toBe(true);
    expect(series.has('process_resident_memory_bytes')).toBe(true);
  });

  it.each([
    ['a metric nobody exports', 'rate(atom_operator_reconciles_total[5m])', /not exported/],
    [
      'the Atom namespace under its old name',
      'min by (atom_name) (atom_operator_certificate_expiry_timestamp_seconds)',
      /label atom_name/,
    ],
    ['a histogram without its suffix', 'rate(controller_runtime_reconcile_time_seconds[5m])', /not exported/],
    ['a syntax error', 'sum(rate(workqueue_depth[5m]) by', /cannot parse/],
  ])('flags %s', (_what, expr, problem) => {
    expect(problems(expr).join('\n')).toMatch(problem);
  });
});

describe('the Grafana dashboard', () => {
  it('queries only series the operator exports, with labels they carry', () => {
    const all = queries();
    expect(all.length).toBeGreaterThan(20);
    const found = all.flatMap((q) => problems(q.expr).map((p) => `${q.where}: ${p}`));
    expect(found).toEqual([]);
  });

  it('shows the per-Atom series (certificate expiry, degraded Atoms) by atom_namespace and atom', () => {
    const text = queries()
      .map((q) => q.expr)
      .join('\n');
    expect(text).toContain('min by (atom_namespace, atom) (atom_operator_certificate_expiry_timestamp_seconds');
    expect(text).toContain('max by (atom_namespace, atom, reason) (atom_operator_atom_degraded');
  });

  it('is shipped as a ConfigMap with the sidecar label, unchanged, only when enabled', () => {
    expect(render(scenarios.defaults).some((o) => o.metadata.name.endsWith('-dashboard'))).toBe(false);
    const cm = only(
      render({ grafanaDashboard: { enabled: true } }),
      'ConfigMap',
      'ops-atom-operator-dashboard',
    ) as unknown as {
      metadata: { namespace: string; labels: Record<string, string> };
      data: Record<string, string>;
    };
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    expect(cm.metadata.namespace).toBe('atom-system');
    expect(JSON.parse(cm.data['atom-operator.json'] ?? '')).toEqual(JSON.parse(dashboardText));
  });
});

describe('the alerts', () => {
  const rules = rulesOf(scenarios.everything);
  const troubleshooting = readFileSync(join(repoRoot, 'docs', 'troubleshooting.md'), 'utf8');
  /** GitHub's anchors: the heading in lower case, spaces to dashes, punctuation dropped. */
  const anchors = new Set(
    troubleshooting
      .split('\n')
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) =>
        l
          .replace(/^#+ /, '')
          .trim()
          .toLowerCase()
          .replace(/[^\w\- ]/g, '')
          .replace(/ /g, '-'),
      ),
  );

  it.each(rules.map((r) => [r.alert, r]))('%s reads only series the operator exports', (_name, rule) => {
    expect(problems(rule.expr)).toEqual([]);
  });

  it.each(rules.map((r) => [r.alert, r]))('%s links to its section of docs/troubleshooting.md', (_name, rule) => {
    const [base, anchor] = rule.annotations.runbook_url?.split('#') ?? [];
    expect(base).toBe('docs/troubleshooting.md');
    expect(anchor).toBe(rule.alert.toLowerCase());
    expect(anchors.has(anchor ?? ''), `add "### ${rule.alert}" under "## Alerts" in docs/troubleshooting.md`).toBe(
      true,
    );
    expect(rule.annotations.runbook).toBeUndefined();
  });

  it('name the Atom in the summary wherever the alert is about one Atom, with labels the expression keeps', () => {
    const perAtom = rules.filter((r) => promqlUse(r.expr).labels.includes('atom'));
    expect(perAtom.map((r) => r.alert)).toEqual(['AtomCertificateExpiringSoon', 'AtomDegraded', 'AtomOffline']);
    for (const r of perAtom) expect(r.annotations.summary).toContain('{{ $labels.atom_namespace }}/{{ $labels.atom }}');
    for (const r of rules) {
      const kept = new Set(promqlUse(r.expr).labels);
      for (const [, label] of (r.annotations.summary ?? '').matchAll(/\$labels\.(\w+)/g))
        expect(kept.has(label ?? ''), `${r.alert} summary uses $labels.${label}`).toBe(true);
    }
  });

  it('link to the address set in prometheusRule.runbookBaseUrl', () => {
    const base = 'https://git.example.com/platform/atom-operator/-/blob/main/docs/troubleshooting.md';
    for (const r of rulesOf(scenarios.knobs))
      expect(r.annotations.runbook_url).toBe(`${base}#${r.alert.toLowerCase()}`);
  });
});

describe('Prometheus Operator objects', () => {
  const kinds = (values: Record<string, unknown>, flags: string[] = []) =>
    render(values, flags)
      .filter((o) => o.apiVersion === 'monitoring.coreos.com/v1')
      .map((o) => o.kind)
      .sort();

  it('appear by default only where the cluster serves their APIs', () => {
    expect(kinds({})).toEqual([]);
    expect(kinds({}, prometheusOperatorApis)).toEqual(['PrometheusRule', 'ServiceMonitor']);
  });

  it('stay switchable both ways', () => {
    const off = { serviceMonitor: { enabled: false }, prometheusRule: { enabled: false } };
    expect(kinds(off, prometheusOperatorApis)).toEqual([]);
    const on = { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } };
    expect(kinds(on)).toEqual(['PrometheusRule', 'ServiceMonitor']);
  });

  it('a PodMonitor replaces the automatic ServiceMonitor and keeps the job the alerts select', () => {
    expect(kinds({ podMonitor: { enabled: true } }, prometheusOperatorApis)).toEqual(['PodMonitor', 'PrometheusRule']);
    const monitor = only(
      render({
        ...scenarios.knobs,
        serviceMonitor: { enabled: false },
        podMonitor: { ...(scenarios.knobs.podMonitor as object), enabled: true },
      }),
      'PodMonitor',
    ) as unknown as {
      metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      spec: { podMetricsEndpoints: Record<string, unknown>[] };
    };
    expect(monitor.metadata.labels.release).toBe('prometheus');
    expect(monitor.metadata.annotations).toEqual({ 'example.com/owner': 'platform' });
    expect(monitor.spec.podMetricsEndpoints).toEqual([
      {
        port: 'metrics',
        path: '/metrics',
        interval: '15s',
        scrapeTimeout: '5s',
        honorLabels: true,
        relabelings: [
          { action: 'replace', targetLabel: 'job', replacement: 'ops-atom-operator-metrics' },
          { sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' },
        ],
        metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'nodejs_gc_.*', action: 'drop' }],
      },
    ]);
  });

  it('the ServiceMonitor carries annotations, honorLabels and both relabelings from values', () => {
    const monitor = only(render(scenarios.knobs), 'ServiceMonitor') as unknown as {
      metadata: { annotations: Record<string, string> };
      spec: { endpoints: Record<string, unknown>[] };
    };
    expect(monitor.metadata.annotations).toEqual({ 'example.com/owner': 'platform' });
    expect(monitor.spec.endpoints[0]).toMatchObject({
      honorLabels: true,
      relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }],
      metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'nodejs_gc_.*', action: 'drop' }],
    });
    const plain = only(render({ serviceMonitor: { enabled: true } }), 'ServiceMonitor') as unknown as {
      spec: { endpoints: Record<string, unknown>[] };
    };
    expect(plain.spec.endpoints[0]).toEqual({
      port: 'metrics',
      path: '/metrics',
      interval: '30s',
      scrapeTimeout: '10s',
      honorLabels: false,
    });
  });

  it('refuses a PodMonitor together with a ServiceMonitor that is forced on', () => {
    const r = helmWithValues(['template', 'ops', chartDir], {
      podMonitor: { enabled: true },
      serviceMonitor: { enabled: true },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/would scrape every replica twice/);
  });
});
