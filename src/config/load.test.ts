import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, configFields, parseConfig } from './load.js';
import { operatorConfigSchema } from './schema.js';

const base = { podNamespace: () => 'ops', hostname: () => 'pod-1' };
const parse = (argv: string[] = [], env: Record<string, string> = {}) => parseConfig({ argv, env, ...base });
const problems = (argv: string[] = [], env: Record<string, string> = {}) => {
  try {
    parse(argv, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('parseConfig', () => {
  it('fills every default', () => {
    const config = parse();
    expect(config).toMatchObject({
      watchNamespaces: [],
      workers: 16,
      kubeApi: { qps: 500, burst: 1000 },
      metricsAddress: ':8080',
      healthAddress: ':8081',
      logLevel: 'info',
      resyncPeriod: 600_000,
      shutdownTimeout: 30_000,
      platform: { pollInterval: 300_000, statusPollInterval: 60_000 },
      leaderElection: {
        enabled: true,
        namespace: 'ops',
        leaseName: 'atom-operator-leader',
        leaseDuration: 15_000,
        renewDeadline: 10_000,
        retryPeriod: 2_000,
      },
    });
    expect(config.leaderElection.identity).toMatch(/^pod-1-[0-9a-f]{6}$/);
    expect(config.kubeconfig).toBeUndefined();
  });

  it('reads environment variables and lets flags win', () => {
    const config = parse(['--workers=8', '--leader-election-lease-duration', '30s', '--leader-election-enabled'], {
      ATOM_OPERATOR_PLATFORM_STATUS_POLL_INTERVAL: '30s',
      ATOM_OPERATOR_WORKERS: '2',
      ATOM_OPERATOR_WATCH_NAMESPACES: 'a, b,,c',
      ATOM_OPERATOR_PLATFORM_URL: 'https://platform.example',
      ATOM_OPERATOR_LEADER_ELECTION_ENABLED: 'false',
      KUBECONFIG: '/tmp/kc',
    });
    expect(config.workers).toBe(8);
    expect(config.watchNamespaces).toEqual(['a', 'b', 'c']);
    expect(config.leaderElection.leaseDuration).toBe(30_000);
    expect(config.leaderElection.enabled).toBe(true);
    expect(config.platform.url).toBe('https://platform.example');
    expect(config.kubeconfig).toBe('/tmp/kc');
    expect(config.platform.statusPollInterval).toBe(30_000);
  });

  it('freezes the result', () => {
    const config = parse();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.leaderElection)).toBe(true);
    expect(() => (config.watchNamespaces as string[]).push('x')).toThrow();
  });

  it('reports every problem at once, one line each, naming where the value came from', () => {
    const lines = problems(['--workers=zero', '--metrics-address=8080', '--bogus=1'], {
      ATOM_OPERATOR_PLATFORM_URL: 'http://insecure.example',
      ATOM_OPERATOR_LOG_LEVEL: 'loud',
      ATOM_OPERATOR_LEADER_ELECTION_RENEW_DEADLINE: '20s',
      ATOM_OPERATOR_WATCH_NAMESPACES: 'ok,Not_Valid',
      ATOM_OPERATOR_TYPO: 'x',
    });
    expect(lines).toHaveLength(8);
    expect(lines).toEqual(
      expect.arrayContaining([
        'flag --workers: must be a whole number from 1 to 64 (got "zero")',
        'flag --metrics-address: must be "host:port" or ":port", e.g. ":8080"',
        'flag --bogus: unknown (see --help)',
        'env ATOM_OPERATOR_PLATFORM_URL: must be an https:// URL',
        'env ATOM_OPERATOR_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
        'env ATOM_OPERATOR_LEADER_ELECTION_RENEW_DEADLINE: must be shorter than --leader-election-lease-duration',
        expect.stringMatching(/^env ATOM_OPERATOR_TYPO: unknown setting/),
        expect.stringMatching(/^env ATOM_OPERATOR_WATCH_NAMESPACES: must be a valid namespace name/),
      ]),
    );
  });

  it('refuses a period past the longest Node.js timer, which would fire every millisecond instead', () => {
    expect(problems(['--resync-period=600h'])).toEqual([
      'flag --resync-period: must be at most 2147483647 ms (about 24 days) (got "600h")',
    ]);
    expect(parse(['--resync-period=500h']).resyncPeriod).toBe(500 * 3_600_000);
  });

  it('derives a flag and an environment variable for every field, each documented', () => {
    const fields = configFields();
    expect(fields.map((f) => f.flag)).toContain('--leader-election-retry-period');
    expect(fields.map((f) => f.env)).toContain('ATOM_OPERATOR_PLATFORM_POLL_INTERVAL');
    for (const field of fields) expect(field.description, field.path).not.toBe('');
  });

  it('exports a schema that converts to JSON Schema for the chart docs', () => {
    const json = z.toJSONSchema(operatorConfigSchema, { io: 'input', unrepresentable: 'any' }) as {
      properties: Record<string, { description?: string }>;
    };
    expect(json.properties.workers?.description).toMatch(/Concurrent reconciles/);
  });
});

describe('the process entry', () => {
  const entry = fileURLToPath(new URL('../../test/support/print-config.ts', import.meta.url));
  const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

  it('exits with status 2 and one line per problem on bad configuration', () => {
    const run = spawnSync(tsx, [entry, '--workers=0', '--log-level=loud'], {
      env: { PATH: process.env.PATH, ATOM_OPERATOR_SHUTDOWN_TIMEOUT: 'soon' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      'atom-operator: invalid configuration: flag --workers: must be a whole number from 1 to 64 (got "0")',
      'atom-operator: invalid configuration: flag --log-level: must be one of fatal, error, warn, info, debug, trace, silent',
      'atom-operator: invalid configuration: env ATOM_OPERATOR_SHUTDOWN_TIMEOUT: must be a duration like "15s", "5m" or "1h30m" (got "soon")',
    ]);
  });

  it('starts with good configuration', () => {
    const run = spawnSync(tsx, [entry, '--workers=3'], {
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ workers: 3 });
  });
});
