// `npm run bench -- --rest`: RSS of the production entry (node dist/main.js, the
// image's command) at rest: connected to the sandbox API server, leader, every
// informer synced, no Atoms. Issue 13's budget for it is 80 MiB.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startEnvironment } from './environment.js';
import { buildOperator, startOperatorProcess } from './operator-process.js';

const MiB = 1024 * 1024;
/** As the image runs it (Dockerfile ENTRYPOINT); the chart adds the heap limit through NODE_OPTIONS. */
const IMAGE_NODE_FLAGS = ['--enable-source-maps'];
export const REST_BUDGET_MIB = 80;

const optionsSchema = z.object({
  rest: z.literal(true),
  /** How long the operator sits idle before the sample: startup garbage has time to be collected. */
  settle: z.coerce.number().int().min(1).max(600).default(20),
  'skip-build': z.boolean().default(false),
});

export interface RestResult {
  rssMiB: number;
  peakRssMiB: number;
  settleSeconds: number;
}

export async function measureRest(
  opts: { settleSeconds: number; build: boolean },
  log: (m: string) => void,
): Promise<RestResult> {
  if (opts.build) {
    log('building dist/ (npm run build)');
    await buildOperator();
  }
  const env = await startEnvironment({ namespace: 'atom-bench-rest' });
  try {
    const operator = await startOperatorProcess(
      'dist',
      [
        `--kubeconfig=${env.kubeconfigPath}`,
        `--platform-url=${env.simulator.url}`,
        // The chart's default: the Lease is part of what a real replica does at rest.
        '--leader-election-enabled=true',
        '--leader-election-namespace=default',
      ],
      undefined,
      IMAGE_NODE_FLAGS,
    );
    try {
      log(`operator ready (pid ${operator.pid}); idle for ${opts.settleSeconds} s`);
      await new Promise((r) => setTimeout(r, opts.settleSeconds * 1000));
      const usage = operator.usage();
      return {
        rssMiB: Math.round((usage.rssBytes / MiB) * 10) / 10,
        peakRssMiB: Math.round((usage.peakRssBytes / MiB) * 10) / 10,
        settleSeconds: opts.settleSeconds,
      };
    } finally {
      await operator.stop();
    }
  } finally {
    await env.stop();
  }
}

export function formatRest(result: RestResult): string {
  const verdict = result.rssMiB <= REST_BUDGET_MIB ? 'within' : 'OVER';
  return [
    `RSS at rest (node --enable-source-maps dist/main.js, sandbox, no Atoms, after ${result.settleSeconds} s idle): ${result.rssMiB} MiB`,
    `peak RSS during start: ${result.peakRssMiB} MiB`,
    `${verdict} the ${REST_BUDGET_MIB} MiB budget`,
  ].join('\n');
}

/** Runs the rest measurement when argv asks for it (`--rest`); returns false otherwise. */
export async function runRestIfAsked(argv: readonly string[]): Promise<boolean> {
  if (!argv.includes('--rest')) return false;
  const { values } = parseArgs({
    args: [...argv],
    options: { rest: { type: 'boolean' }, settle: { type: 'string' }, 'skip-build': { type: 'boolean' } },
    strict: true,
  });
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'));
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const result = await measureRest({ settleSeconds: parsed.data.settle, build: !parsed.data['skip-build'] }, log);
  process.stdout.write(`${formatRest(result)}\n`);
  return true;
}
