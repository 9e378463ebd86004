/**
 * Delivery, shared by every advisor: write the report, then publish its notifications, so that
 * neither failure swallows the other. A failed report write still publishes (saying the report
 * is missing); a failed publish still keeps the report (rewritten to record the failure). The
 * caller turns any delivery error into a non-zero exit / a failed invocation afterwards.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import { buildSnsMessages, MessageInput, SnsMessage } from '../alert/message';
import { publish } from '../alert/publish';
import { errorMessage } from '../errors';
import type { Logger } from '../log';
import { renderHtml } from '../report/html';
import { renderJson, renderMarkdown } from '../report/markdown';
import type { Notification, Report, RunError } from '../report/types';
import type { RenderedReport, ReportSink } from '../sinks/types';

export interface DeliveryOptions {
  sink?: ReportSink;
  sns?: { topicArn: string; region?: string; client?: SNSClient };
  /** Without a topic, notifications are handed here (the CLI prints them on stderr). */
  onUnpublished?: (notifications: Notification[], report: Report) => void;
  /**
   * Builds what is published instead of the notifications' own messages (advise: the nightly
   * digest, lib/digest), from the report and where it was written; may return none.
   */
  compose?: (report: Report, where: MessageInput['report']) => SnsMessage[];
  /** The runners pass their alert settings through; only the runbook link is read here. */
  alerts?: { runbookUrl?: string };
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
  const fail = (e: RunError, log: string, err: unknown) => {
    errors.push(e);
    report.errors.push(e);
    opts.logger.error(log, { error: errorMessage(err), location: report.location?.json });
  };
  let written = false;
  // A renderer bug must not cost the JSON and Markdown: the HTML is optional.
  const renderHtmlSafely = (): string | undefined => {
    try {
      return renderHtml(report);
    } catch (err) {
      fail({ stage: 'report', message: `HTML report not rendered: ${errorMessage(err)}` }, 'html render failed', err);
      return undefined;
    }
  };
  let html: string | undefined;
  const render = (): RenderedReport => ({ json: renderJson(report), markdown: renderMarkdown(report), ...(html !== undefined ? { html } : {}) });
  if (opts.sink) {
    // Located first: the HTML shows where its siblings are.
    report.location = opts.sink.locate(report);
    html = renderHtmlSafely();
    if (html === undefined) report.location = opts.sink.locate(report, { html: false });
    try {
      await opts.sink.write(report, render());
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
  if (opts.sns && (toSend.length || opts.compose)) {
    const where = { ...report.location, missing: written || !opts.sink ? undefined : errors.map((e) => e.message).join('; ') };
    const plain = () => buildSnsMessages({ advisor: report.advisor, target: report.target, notifications: toSend, report: where, now: opts.now(), runbookUrl: opts.alerts?.runbookUrl });
    let messages: SnsMessage[];
    try {
      messages = opts.compose ? opts.compose(report, where) : plain();
    } catch (err) {
      // A digest bug must not silence the alerts it would have carried: send them plainly.
      fail({ stage: 'alert', message: `digest not built, alerts sent without it: ${errorMessage(err)}` }, 'compose failed', err);
      messages = toSend.length ? plain() : [];
    }
    const result = await publish(messages, opts.sns);
    if (result.failed.length) {
      unpublished = toSend;
      const e: RunError = { stage: 'alert', message: `${result.failed.length} of ${messages.length} SNS message(s) not published: ${result.failed.map((f) => errorMessage(f.error)).join('; ')}` };
      errors.push(e);
      report.errors.push(e);
      opts.logger.error('alert publish failed', { error: e.message });
      // The report must say the alert was lost: rewrite it if it was written.
      if (written && opts.sink) {
        if (html !== undefined) html = renderHtmlSafely() ?? html;
        await opts.sink.write(report, render()).catch((err) =>
          opts.logger.error('report rewrite failed', { error: errorMessage(err) }));
      }
    }
  } else if (!opts.sns && report.notifications.length) {
    opts.onUnpublished?.(report.notifications, report);
  }

  // Last, so a slow or failing bucket never delays or loses an alert: the latest pointer and the
  // target's history page. Only for a report that exists. A failure is a report error (exit 1,
  // a failed invocation), recorded in the returned report; the stored one is not rewritten for it.
  if (written && opts.sink?.updateLatest) {
    try {
      await opts.sink.updateLatest(report, html !== undefined);
    } catch (err) {
      fail({ stage: 'report', message: `latest pointer or history page not updated (${report.location?.index ?? 'index'}): ${errorMessage(err)}` }, 'latest/index update failed', err);
    }
  }
  return { unpublished, errors };
}
