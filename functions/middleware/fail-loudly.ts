/**
 * middy onError: when a handler itself fails (bad config, bad payload, a bug), nothing was
 * checked, and that is news for the on-call too: publish one critical alert to the topic (best
 * effort), log it, and rethrow so the invocation counts as failed (Lambda error metrics, async
 * failure destination). A DeliveryError is different: every target ran and sent its own alert
 * (saying what could not be delivered), so it is only logged and rethrown.
 */
import type { MiddlewareObj } from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import { buildFailureMessage } from '../../lib/alert/failure-message';
import { publish } from '../../lib/alert/publish';
import { DeliveryError, errorMessage } from '../../lib/errors';
import type { Advisor } from '../../lib/report/types';
import { env } from '../constants';

/** `advisorOf`: the advisor, or how to read it from the event (the fleet summary serves all three). */
export function failLoudly(advisorOf: Advisor | ((event: unknown) => Advisor), logger: Logger): MiddlewareObj {
  return {
    onError: async (request) => {
      const advisor = typeof advisorOf === 'function' ? advisorOf(request.event) : advisorOf;
      const message = errorMessage(request.error);
      if (request.error instanceof DeliveryError) {
        logger.error(`pgsteward ${advisor} ran, but some results were not delivered`, { error: message });
        return;
      }
      logger.error(`pgsteward ${advisor} could not run`, { error: message });
      if (!env.topicArn) return;
      const sns = buildFailureMessage({
        advisor,
        error: message,
        functionName: request.context?.functionName,
        requestId: request.context?.awsRequestId,
        now: new Date(),
      });
      const result = await publish([sns], { topicArn: env.topicArn });
      if (result.failed.length) logger.error('could not publish the failure alert', { error: errorMessage(result.failed[0].error) });
    },
  };
}
