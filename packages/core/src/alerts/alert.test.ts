import { describe, expect, it } from "vitest";
import { unusualActivityAlert, type UnusualActivityRule } from "./alert.ts";

const rule: UnusualActivityRule = { baselineDays: 14, multiplier: 5, minimumCoins: 5000 };
const day = { day: "2026-11-25", startsAt: "2026-11-24T15:00:00.000Z" };
const at = "2026-11-25T02:00:00.000Z";

describe("unusual_activity wording", () => {
  it("with a usual to compare to, says how many times the usual it reached, and the usual", () => {
    const a = unusualActivityAlert("u1", day, 5000, 1000, rule, at)!;
    expect(a.message).toContain("5× the usual 10.00 a day");
    expect(a.data).toMatchObject({ usage: "50.00", baselineDaily: "10.00", multiplier: 5 });
  });

  it("with no history, never claims a multiple of a usual that does not exist: it names the bar it passed", () => {
    const a = unusualActivityAlert("u1", day, 25000, null, rule, at)!;
    expect(a.message).not.toMatch(/usual|평소/);
    expect(a.message).toContain("passed 250.00, with no usage in the previous 14 days");
    expect(a.data).toMatchObject({ baselineDaily: null });
  });

  it("with history but no usage in it (a baseline of 0), says the same", () => {
    const a = unusualActivityAlert("u1", day, 5000, 0, rule, at)!;
    expect(a.message).not.toMatch(/usual|평소/);
    expect(a.message).toContain("passed 50.00, with no usage in the previous 14 days");
  });
});
