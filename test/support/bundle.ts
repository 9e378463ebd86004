/**
 * A function exactly as it would be deployed: the real stack synthesized with bundling on (local
 * esbuild), its asset directory found in the cloud assembly, and the bundled index.js (not the
 * source) loaded in isolation with the environment the stack gives it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { App } from 'aws-cdk-lib';
import { PgstewardStack } from '../../infra/stack';
import { CONTEXT } from '../infra/template';
import { setLambdaEnv } from './lambda-env';

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */

export type BundledHandler = (event: unknown, context: Context) => Promise<any>;

export interface SynthesizedAsset {
  /** The cloud assembly's directory (remove it after the file). */
  outdir: string;
  /** The function's asset: index.js and what the stack puts beside it. */
  assetDir: string;
  synthMs: number;
}

/** Synthesizes the stack for `config` and returns the asset of the one function with this description. */
export function synthFunctionAsset(config: Record<string, any>, stackName: string, description: string): SynthesizedAsset {
  const outdir = mkdtempSync(join(tmpdir(), 'pgsteward-bundle-'));
  const started = Date.now();
  // Bundling on (cdk.json's context without 'aws:cdk:bundling-stacks'), asset paths in the metadata.
  const app = new App({ outdir, context: { ...CONTEXT, 'aws:cdk:enable-asset-metadata': true } });
  const stack = new PgstewardStack(app, stackName, { config, configSource: `${stackName} config` });
  const assembly = app.synth();
  const synthMs = Date.now() - started;
  const template = assembly.getStackArtifact(stack.artifactId).template;
  const fns = Object.values(template.Resources as Record<string, any>)
    .filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === description);
  expect(fns).toHaveLength(1);
  expect(fns[0].Metadata['aws:asset:property']).toBe('Code');
  // The same directory the deployed Code points at.
  expect(fns[0].Properties.Code.S3Key).toBe(`${fns[0].Metadata['aws:asset:path'].replace(/^asset\./, '')}.zip`);
  return { outdir, assetDir: join(assembly.directory, fns[0].Metadata['aws:asset:path']), synthMs };
}

/** What the stack sets (minus the topic) plus the S3-compatible endpoint; then index.js, loaded in isolation. */
export function loadBundledHandler(assetDir: string, env: { bucket: string; endpoint: string }): BundledHandler {
  setLambdaEnv({ PGSTEWARD_REPORTS_BUCKET: env.bucket, PGSTEWARD_STATE_BUCKET: env.bucket, PGSTEWARD_S3_ENDPOINT: env.endpoint });
  let handler: BundledHandler | undefined;
  jest.isolateModules(() => {
    handler = require(join(assetDir, 'index.js')).handler;
  });
  expect(typeof handler).toBe('function');
  return handler!;
}
