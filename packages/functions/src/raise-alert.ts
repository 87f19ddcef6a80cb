import { newAlert, publishedMark, stillToPublish, type Alert, type AlertsPort } from "@nyang/core";
import { alertRaised, type DomainEventPublisher } from "./events.ts";

/**
 * Raising an alert, wherever it is raised (the alerts stream consumer, the auto-charge
 * service): stored once by its id, then published as `AlertRaised`.
 *
 * The redelivery rule, one for every raiser: **an alert is published until its stored item
 * records that it was** (`publishedAt`, set after the bus took it). A raise that stores the
 * alert publishes it; a raise that finds it already stored (a redelivered stream record, a
 * sweep looking at the same charge again, a later checkpoint of the same day) publishes the
 * stored alert only if that mark is missing — its first raise crashed, or the bus refused,
 * between storing and marking. So every alert reaches the bus at least once, and more than
 * once only when a raise stopped between publishing and marking; subscribers dedupe on
 * `detail.id`. A failed publish throws: the caller decides whether its trigger is retried.
 * The writes are alerts/raising.ts's decisions, through alerts' port.
 */
export interface AlertRaiser {
  /**
   * The alert as published by this call (the stored one when it was there), or null when
   * nothing was published. A failed publish throws, or goes to `onPublishFailure` when given
   * (the alert stays unmarked, so its next raise publishes it); a failed store always throws.
   */
  raise(alert: Alert, onPublishFailure?: (error: unknown) => void): Promise<Alert | null>;
}

export function alertRaiser(port: AlertsPort, events: DomainEventPublisher, clock: () => Date = () => new Date()): AlertRaiser {
  return {
    async raise(alert, onPublishFailure) {
      const pending = (await port.commit(newAlert(alert))) ? alert : stillToPublish(await port.stored(alert.userId, alert.id));
      if (!pending) return null;
      try {
        await events.publish([alertRaised(pending)]);
      } catch (e) {
        if (!onPublishFailure) throw e;
        onPublishFailure(e);
        return null;
      }
      // False when a concurrent raise of the same alert marked it first: as good.
      await port.commit(publishedMark(pending, clock()));
      return pending;
    },
  };
}
