/**
 * One target-run in its own process, as one Lambda invocation of the fan-out runs it: bundled by
 * bench/fleet.ts with esbuild (like the deployed function), started with
 *   node driver.js '{"advisor":"health","target":{…},"endpoint":"http://…","bucket":"…"}'
 * and printing one JSON line: wall time, the process's peak RSS (what Lambda's "Max Memory Used"
 * reports), database statements, and S3 requests by command (counted on the SDK client).
 */
import { S3StateStore } from '../../lib/alert/state-store-s3';
import { resolveAlerts, resolveTarget } from '../../lib/config/resolve';
import type { Config } from '../../lib/config/schema';
import type { Logger } from '../../lib/log';
import { runAdvise } from '../../lib/runner/advise';
import { runHealth } from '../../lib/runner/health';
import { runPartitions } from '../../lib/runner/partitions';
import { makeS3Client, S3Sink } from '../../lib/sinks/s3';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2]) as { advisor: 'health' | 'advise' | 'partitions'; config: Config; targetIndex: number; endpoint: string; bucket: string };
  const client = makeS3Client({ endpoint: input.endpoint, region: 'us-east-1' });
  const requests: Record<string, number> = {};
  client.middlewareStack.add((next, context) => async (args) => {
    const name = context.commandName ?? 'unknown';
    requests[name] = (requests[name] ?? 0) + 1;
    return next(args);
  }, { step: 'initialize', name: 'benchCountRequests' });
  const sink = new S3Sink({ client, bucket: input.bucket, prefix: 'reports', region: 'us-east-1' });
  const state = new S3StateStore({ client, bucket: input.bucket, prefix: 'state' });
  const target = resolveTarget(input.config, input.config.targets![input.targetIndex]);
  const alerts = resolveAlerts(input.config);
  const t0 = performance.now();
  const outcome = input.advisor === 'health'
    ? await runHealth(target, { alerts, state, sink, logger: silent })
    : input.advisor === 'advise'
      ? await runAdvise(target, { alerts, state, sink, logger: silent })
      : await runPartitions(target, { alerts, state, sink, logger: silent });
  const ms = performance.now() - t0;
  const report = outcome.report;
  process.stdout.write(`${JSON.stringify({
    ms,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    statements: report.statements,
    errors: report.errors.map((e) => e.message),
    requests,
  })}\n`);
}

// Open keep-alive sockets (S3 client) would hold a finished invocation's process open.
main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
