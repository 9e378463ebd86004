/**
 * The monthly AWS bill of a fleet deployment, projected from measured per-target runs. Prices
 * are us-east-1 list prices on Arm (Graviton) Lambda, without free tiers, read from
 *   https://aws.amazon.com/lambda/pricing/           $0.0000133334 per GB-s (Arm), $0.20 per 1M requests
 *   https://aws.amazon.com/step-functions/pricing/   Standard $0.025 per 1,000 state transitions;
 *                                                    Express $1.00 per 1M requests + $0.00001667 per GB-s,
 *                                                    billed in 64 MB and 100 ms increments
 *   https://aws.amazon.com/s3/pricing/               PUT/LIST $0.005 per 1,000; GET $0.0004 per 1,000
 *   https://aws.amazon.com/sns/pricing/              $0.50 per 1M publishes; email $2.00 per 100,000
 *   https://aws.amazon.com/cloudwatch/pricing/       Logs ingestion $0.50 per GB
 *   https://aws.amazon.com/eventbridge/pricing/      Scheduler: 14M invocations a month free
 * Pure arithmetic, so README can show every line of it.
 */

export const PRICE = {
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sfnStandardTransition: 0.025 / 1000,
  sfnExpressRequest: 1 / 1e6,
  sfnExpressGbSecond: 0.00001667,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  snsPublish: 0.5 / 1e6,
  snsEmail: 2 / 100_000,
  logsIngestGb: 0.5,
};

/** 30 days. */
export const MONTH_MS = 30 * 24 * 3600 * 1000;

export interface AdvisorLoad {
  name: string;
  /** The schedule's period (rate). */
  periodMs: number;
  /** Targets this advisor runs for. */
  targets: number;
  memoryMB: number;
  /** Measured median wall time of one target-run (billed duration, ms). */
  runMs: number;
  /** S3 requests of one target-run, measured. */
  s3Puts: number;
  s3Gets: number;
  /** Structured log bytes per invocation (Powertools JSON lines). */
  logBytes: number;
  orchestration: 'express' | 'standard';
  maxConcurrency: number;
}

export interface CostLine {
  item: string;
  arithmetic: string;
  usd: number;
}

const usd = (n: number) => `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** Lines for one advisor; `alternative` prices the other orchestration for comparison. */
export function advisorCost(a: AdvisorLoad, orchestration = a.orchestration): CostLine[] {
  const executions = MONTH_MS / a.periodMs;
  const runs = executions * a.targets;
  const gb = a.memoryMB / 1024;
  const gbs = runs * (a.runMs / 1000) * gb;
  const lines: CostLine[] = [
    { item: `${a.name}: Lambda compute`, arithmetic: `${int(runs)} runs × ${(a.runMs / 1000).toFixed(3)} s × ${gb} GB = ${int(gbs)} GB-s × $${PRICE.lambdaGbSecond}`, usd: gbs * PRICE.lambdaGbSecond },
    // One summary invocation per execution, ~0.2 s at 256 MB.
    { item: `${a.name}: Lambda requests`, arithmetic: `(${int(runs)} + ${int(executions)} summaries) × $0.20/1M`, usd: (runs + executions) * PRICE.lambdaRequest + executions * 0.2 * 0.25 * PRICE.lambdaGbSecond },
  ];
  if (orchestration === 'standard') {
    // Per execution: the Map state, one Task per item, the summary Task, and the end.
    const transitions = executions * (a.targets + 3);
    lines.push({ item: `${a.name}: Step Functions Standard`, arithmetic: `${int(executions)} executions × (${a.targets} items + 3) = ${int(transitions)} transitions × $0.025/1000`, usd: transitions * PRICE.sfnStandardTransition });
  } else {
    // The execution lasts about waves × one run; Express bills 64 MB of memory at least.
    const seconds = Math.ceil(a.targets / a.maxConcurrency) * (a.runMs / 1000) + 0.5;
    const sfnGbs = executions * seconds * 0.0625;
    lines.push({ item: `${a.name}: Step Functions Express`, arithmetic: `${int(executions)} requests × $1/1M + ${int(executions)} × ${seconds.toFixed(1)} s × 0.0625 GB = ${int(sfnGbs)} GB-s × $${PRICE.sfnExpressGbSecond}`, usd: executions * PRICE.sfnExpressRequest + sfnGbs * PRICE.sfnExpressGbSecond });
  }
  lines.push(
    { item: `${a.name}: S3 requests`, arithmetic: `${int(runs)} runs × (${+a.s3Puts.toFixed(2)} PUT × $0.005/1000 + ${+a.s3Gets.toFixed(2)} GET × $0.0004/1000)`, usd: runs * (a.s3Puts * PRICE.s3Put + a.s3Gets * PRICE.s3Get) },
    { item: `${a.name}: CloudWatch Logs`, arithmetic: `${int(runs)} × ${a.logBytes} B = ${(runs * a.logBytes / 1e9).toFixed(2)} GB × $0.50`, usd: (runs * a.logBytes / 1e9) * PRICE.logsIngestGb },
  );
  return lines;
}

/** SNS: alerts go out on transitions only; the digest once a night per target. */
export function snsCost(targets: number, alertsPerTargetPerDay: number, emailSubscribers: number): CostLine[] {
  const publishes = targets * 30 * (alertsPerTargetPerDay + 1);
  return [{
    item: 'SNS publishes and emails',
    arithmetic: `${int(publishes)} publishes × $0.50/1M + ${int(publishes * emailSubscribers)} emails × $2/100k`,
    usd: publishes * PRICE.snsPublish + publishes * emailSubscribers * PRICE.snsEmail,
  }];
}

export function formatLines(lines: CostLine[]): string {
  const total = lines.reduce((s, l) => s + l.usd, 0);
  return [
    '| Item | Arithmetic | Monthly |',
    '|---|---|---|',
    ...lines.map((l) => `| ${l.item} | ${l.arithmetic} | ${usd(l.usd)} |`),
    `| **Total** | | **${usd(total)}** |`,
  ].join('\n');
}

export function total(lines: CostLine[]): number {
  return lines.reduce((s, l) => s + l.usd, 0);
}
