/** Reading and validating the config document: from a file (CLI), a string (Lambda env) or an object. */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';
import { Config, configSchema } from './schema';
import { formatIssues } from './format-issues';

export function parseConfig(doc: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(doc);
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues), source);
  const ids = new Set<string>();
  const problems: string[] = [];
  (result.data.targets ?? []).forEach((t, i) => {
    if (ids.has(t.id)) problems.push(`targets[${i}].id: duplicate target id "${t.id}"`);
    ids.add(t.id);
  });
  if (problems.length) throw new ConfigError(problems, source);
  return result.data;
}

export function parseConfigText(text: string, source = 'config'): Config {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`(root): not valid JSON (${(err as Error).message})`], source);
  }
  return parseConfig(doc, source);
}

export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`], file);
  }
  return parseConfigText(text, file);
}
