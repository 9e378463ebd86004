/**
 * Delivery, shared by every advisor: write the report, then publish its notifications, so that
 * neither failure swallows the other. A failed report write still publishes (saying the report
 * is missing); a failed publish still keeps the report (rewritten to record the failure). The
 * caller turns any delivery error into a non-zero exit / a failed invocation afterwards.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import { buildSnsMessages } from '../alert/message';
import { publish } from '../alert/publish';
import { errorMessage } from '../errors';
import type { Logger } from '../log';
import { renderJson, renderMarkdown } from '../report/markdown';
import type { Notification, Report, RunError } from '../report/types';
import type { ReportSink } from '../sinks/types';

export interface DeliveryOptions {
  sink?: ReportSink;
  sns?: { topicArn: string; region?: string; client?: SNSClient };
  /** Without a topic, notifications are handed here (the CLI prints them on stderr). */
  onUnpublished?: (notifications: Notification[], report: Report) => void;
  logger: Logger;
  now: () => Date;
}

export interface DeliveryResult {
  /** Notifications that did not reach SNS (the caller may un-claim them in the state). */
  unpublished: Notification[];
  errors: RunError[];
}

export async function deliver(report: Report, opts: DeliveryOptions): Promise<DeliveryResult> {
  const errors: RunError[] = [];
  let written = false;
  if (opts.sink) {
    report.location = opts.sink.locate(report);
    try {
      await opts.sink.write(report, { json: renderJson(report), markdown: renderMarkdown(report) });
      written = true;
    } catch (err) {
      const e: RunError = { stage: 'report', message: `report not written to ${report.location.json}: ${errorMessage(err)}` };
      errors.push(e);
      report.errors.push(e);
      opts.logger.error('report write failed', { error: errorMessage(err), location: report.location.json });
    }
  }

  const toSend = report.notifications.filter((n) => !n.silenced);
  let unpublished: Notification[] = [];
  if (opts.sns && toSend.length) {
    const messages = buildSnsMessages({
      advisor: report.advisor,
      target: report.target,
      notifications: toSend,
      report: { ...report.location, missing: written || !opts.sink ? undefined : errors.map((e) => e.message).join('; ') },
      now: opts.now(),
    });
    const result = await publish(messages, opts.sns);
    if (result.failed.length) {
      unpublished = toSend;
      const e: RunError = { stage: 'alert', message: `${result.failed.length} of ${messages.length} SNS message(s) not published: ${result.failed.map((f) => errorMessage(f.error)).join('; ')}` };
      errors.push(e);
      report.errors.push(e);
      opts.logger.error('alert publish failed', { error: e.message });
      // The report must say the alert was lost: rewrite it if it was written.
      if (written && opts.sink) {
        await opts.sink.write(report, { json: renderJson(report), markdown: renderMarkdown(report) }).catch((err) =>
          opts.logger.error('report rewrite failed', { error: errorMessage(err) }));
      }
    }
  } else if (!opts.sns && report.notifications.length) {
    opts.onUnpublished?.(report.notifications, report);
  }
  return { unpublished, errors };
}
