import { sweepDueQueue, type DueQueueReader } from "../due-queue.ts";
import type { Log } from "../log.ts";
import type { AutoChargeCharges, ChargeOutcome } from "./charge.ts";

export type AutoChargeSweepScope = "all" | "due";

/** Sorts after every real time: the daily sweep asks the AUTOCHARGE_ON queue for everything "due" before it. */
export const END_OF_TIME = new Date("9999-12-31T23:59:59.999Z");

export interface AutoChargeSweepReport {
  scope: AutoChargeSweepScope;
  accounts: number;
  records: number;
  outcomes: Record<ChargeOutcome, number>;
  errors: number;
}

export interface AutoChargeSweep {
  scope: AutoChargeSweepScope;
  now: Date;
  pageSize?: number | undefined;
  /** The service's global switch (AUTO_CHARGE_ENABLED): off, the accounts are not looked at. */
  available: boolean;
  /** Where a failing item is logged. */
  log?: Log | undefined;
}

/**
 * The sweeps. Both take up the charge records that are due (a retry whose backoff is over,
 * an attempt whose worker stopped); `all` (the daily run) also looks at every account with
 * auto-charge on, catching a crossing the stream never delivered. Safe to run twice or
 * concurrently with everything else: each look goes through the charge's claim.
 */
export async function sweepAutoCharge(charges: AutoChargeCharges, queues: DueQueueReader, sweep: AutoChargeSweep): Promise<AutoChargeSweepReport> {
  const outcomes: Record<ChargeOutcome, number> = {
    charged: 0, already_charged: 0, failed: 0, disabled: 0, pending: 0, waiting: 0, canceled: 0, none: 0,
  };
  const report: AutoChargeSweepReport = { scope: sweep.scope, accounts: 0, records: 0, outcomes, errors: 0 };
  const pageSize = sweep.pageSize ?? 50;
  const records = await sweepDueQueue(
    queues,
    { queue: "AUTOCHARGE", now: sweep.now, pageSize, failure: "auto-charge sweep: a charge record failed", idField: "chargeId", log: sweep.log },
    async ({ userId, id }) => {
      const record = await charges.getCharge(userId, id);
      outcomes[record ? await charges.advance(record) : "none"]++;
    },
  );
  report.records = records.examined;
  report.errors += records.errors;
  if (sweep.scope === "all" && sweep.available) {
    // Every account with auto-charge on sits in this queue, "due" at the end of time.
    const accounts = await sweepDueQueue(
      queues,
      { queue: "AUTOCHARGE_ON", now: END_OF_TIME, pageSize, failure: "auto-charge sweep: an account failed", idField: "settingsId", log: sweep.log },
      async ({ userId }) => void outcomes[await charges.check(userId)]++,
    );
    report.accounts = accounts.examined;
    report.errors += accounts.errors;
  }
  return report;
}
