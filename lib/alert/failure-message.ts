/**
 * The message sent when an advisor itself cannot run (bad config, bad payload, a bug): nothing
 * was checked, which the on-call must hear about as loudly as a critical finding. Same shape as
 * every other message (message.ts), so it reaches chat too: Amazon Q drops plain-text SNS
 * messages.
 */
import type { Advisor } from '../report/types';
import { cut, oneLine, SnsMessage, SUBJECT_MAX } from './message';

export interface FailureInput {
  advisor: Advisor;
  error: string;
  functionName?: string;
  requestId?: string;
  now: Date;
}

const CHAT_DESCRIPTION_MAX = 3000;

export function buildFailureMessage(input: FailureInput): SnsMessage {
  const { advisor, now } = input;
  const title = `pgsteward ${advisor} could not run: nothing was checked`;
  const where = [input.functionName && `Function: ${input.functionName}`, input.requestId && `Request: ${input.requestId}`].filter(Boolean) as string[];
  const chat = {
    version: '1.0',
    source: 'custom',
    id: cut(`pgsteward-${advisor}-failure-${now.getTime()}`, 200),
    content: {
      textType: 'client-markdown',
      title: `:red_circle: ${title}`,
      description: cut(`\`\`\`${input.error.replace(/`/g, "'")}\`\`\``, CHAT_DESCRIPTION_MAX),
      nextSteps: ['Fix the cause below; the next scheduled run retries.', ...where],
      keywords: ['pgsteward', advisor, 'critical'],
    },
    metadata: {
      summary: cut(title, 250),
      eventType: `pgsteward.${advisor}.failure`,
      relatedResources: input.functionName ? [input.functionName] : [],
    },
  };
  const email = [`CRITICAL: ${title}.`, '', input.error, '', ...where, '', 'The next scheduled run retries once the cause is fixed.', ''].join('\n');
  return {
    Subject: cut(oneLine(`[CRITICAL] ${title}`), SUBJECT_MAX),
    Message: JSON.stringify({ default: JSON.stringify(chat), email }),
    MessageStructure: 'json',
    MessageAttributes: {
      severity: { DataType: 'String', StringValue: 'critical' },
      advisor: { DataType: 'String', StringValue: advisor },
      target: { DataType: 'String', StringValue: '*' },
    },
  };
}
