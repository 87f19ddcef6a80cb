/**
 * The EventBridge bus Nyang's domain events leave on (`LedgerEntryCreated`, `AlertRaised`;
 * schemas in docs/events.md). The stream consumers publish to it (stacks/streams.ts, by its
 * name in NYANG_EVENT_BUS); mail, push or CRM services subscribe with their own rules
 * (`bus.subscribe(...)` or a rule in their own app) without touching Nyang's code.
 *
 * A bus of its own rather than the account's `default` bus: its name is per app and stage
 * (`nyang-<stage>-NyangEvents…`), so a dev stage's events never reach production's
 * subscribers, and `events:PutEvents` can be granted on this one bus's ARN.
 */
export function events() {
  const bus = new sst.aws.Bus("NyangEvents");
  return { bus };
}
