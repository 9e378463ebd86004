/**
 * The CDK app cdk.json runs (`npx tsx infra/app.ts`). The config document comes from
 * `-c config=PATH`, else $PGSTEWARD_CONFIG_FILE, else the committed example, and names the stack
 * (deploy.stackName). cdk-nag's AWS Solutions checks run on every synth: a finding that is not
 * acknowledged (infra/nag.ts) fails it.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lib/errors';
import { parseConfig } from '../lib/config/load';
import { acknowledgeNagFindings, registerNag } from './nag';
import { PgstewardStack } from './stack';

const DEFAULT_STACK_NAME = 'Pgsteward';

function readDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`], file);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`(root): not valid JSON (${(err as Error).message})`], file);
  }
}

function main(): void {
  const app = new App();
  const configured = app.node.tryGetContext('config') ?? process.env.PGSTEWARD_CONFIG_FILE;
  const file = configured ? resolve(String(configured)) : join(__dirname, '..', 'config', 'example.json');
  const document = readDocument(file);
  const stackName = parseConfig(document, file).deploy?.stackName ?? DEFAULT_STACK_NAME;

  const stack = new PgstewardStack(app, stackName, { config: document, configSource: file });
  acknowledgeNagFindings(stack);
  registerNag(app);
}

try {
  main();
} catch (err) {
  // A config mistake is the user's to fix: print the list of problems, not a stack trace.
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
