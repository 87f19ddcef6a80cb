import { z } from "@hono/zod-openapi";
import { entryTypes, MAX_QUANTITY, overCapturePolicies, parseAmount, type AmountSign } from "@nyang/core";
import { userIdPattern } from "./auth.ts";

/**
 * The request and response shapes of docs/api.md as zod schemas: the routes validate with
 * them and the OpenAPI document is generated from them, so the two cannot drift.
 */

/** Marks an issue so the error mapper reports `invalid_amount` instead of `validation_failed`. */
export const INVALID_AMOUNT = "invalid_amount";

/** An API amount in, minor units out (see docs/api.md, Amounts). */
export const amountInput = (sign: AmountSign = "positive") =>
  z
    .any()
    .transform((v, ctx) => {
      const parsed = parseAmount(v, sign);
      if (!parsed.ok) {
        ctx.addIssue({ code: "custom", message: `amount ${parsed.reason}`, params: { code: INVALID_AMOUNT } });
        return z.NEVER;
      }
      return parsed.minor;
    })
    .openapi({
      type: "string",
      pattern: sign === "signed" ? "^-?\\d{1,9}(\\.\\d{1,2})?$" : "^\\d{1,9}(\\.\\d{1,2})?$",
      example: sign === "signed" ? "-5.00" : "3.00",
      description: "Coins as a decimal string (or JSON number) with at most two fraction digits",
    });

const amountOutput = z.string().regex(/^-?\d+\.\d{2}$/).openapi({ example: "97.00" });

const detailsInput = z
  .record(z.string(), z.unknown())
  .refine((d) => JSON.stringify(d).length <= 4096, { message: "details must serialize to at most 4 KiB" })
  .openapi({ description: "Free-form JSON about the action (at most 4 KiB)", example: { action: "generate_content" } });

export const userIdParam = z
  .string()
  .regex(userIdPattern)
  .openapi({ param: { name: "userId", in: "path" }, example: "u1", description: "A user id, or `me`" });

export const accountPath = z.object({ userId: userIdParam });

export const openAccountBody = z.strictObject({
  // `me` in a path always means the caller, so an account named `me` could never be reached.
  userId: z.string().regex(userIdPattern).refine((id) => id !== "me", { message: "`me` is reserved" }),
});

/** A count of units (docs/credits.md): a JSON integer, 1 to MAX_QUANTITY. */
const quantityInput = (description: string) =>
  z.number().int().min(1).max(MAX_QUANTITY).optional().openapi({ description, example: 4 });

/** `amount` and `quantity` are two ways to say how much; a body names one of them. */
const notBoth = <T extends { amount?: unknown; quantity?: unknown }>(b: T) => b.amount === undefined || b.quantity === undefined;
const notBothIssue = { message: "name either amount or quantity, not both", path: ["quantity"] };

export const spendBody = z
  .strictObject({
    serviceType: z.string().min(1).max(64).openapi({ example: "ai_writing" }),
    details: detailsInput.optional(),
    amount: amountInput().optional().openapi({ description: "The total to debit instead of the price list's (one unit of it); not with quantity" }),
    quantity: quantityInput(`Units to debit at the service's current price (1–${MAX_QUANTITY}, default 1); the entry keeps the unit price and quantity`),
  })
  .refine(notBoth, notBothIssue);

const text = (max: number) => z.string().trim().min(1).max(max);

export const chargeBody = z.strictObject({
  amount: amountInput(),
  paymentMethod: text(64).openapi({ example: "card" }),
  paymentReference: text(256).optional(),
  type: z.enum(["purchase", "auto_charge"]).default("purchase"),
});

export const adjustmentBody = z.strictObject({
  amount: amountInput("signed"),
  reason: text(500).openapi({ example: "Compensation for an outage" }),
});

export const refundBody = z
  .strictObject({
    transactionId: z.string().regex(/^tx_[0-9a-z]{26}$/),
    amount: amountInput().optional(),
    quantity: quantityInput("Units to refund at the entry's stored unit price (never today's price); not with amount"),
    reason: text(500),
  })
  .refine(notBoth, notBothIssue);

// Stored times always carry milliseconds; inputs are normalised to that form so that
// text comparison in the index is time comparison.
/**
 * A history bound: an ISO time in UTC, or a calendar date in UTC (`2026-12-01`), which
 * stands for its whole day: `from` starts at its first millisecond, `to` ends at its last,
 * so `from=2026-12-01&to=2026-12-01` is that day. Both bounds are inclusive.
 */
export const historyBound = (edge: "from" | "to") =>
  z
    .union([z.iso.date(), z.iso.datetime({ offset: false })])
    .transform((s) => (s.length === 10 ? `${s}${edge === "from" ? "T00:00:00.000Z" : "T23:59:59.999Z"}` : new Date(s).toISOString()))
    .openapi({
      type: "string",
      description:
        edge === "from"
          ? "Inclusive start: an ISO time in UTC, or a date (UTC) meaning 00:00:00.000 of that day"
          : "Inclusive end: an ISO time in UTC, or a date (UTC) meaning 23:59:59.999 of that day",
      example: edge === "from" ? "2026-12-01" : "2026-12-01T09:00:00.000Z",
    });

export const transactionsQuery = z
  .strictObject({
    type: z.enum(entryTypes).optional(),
    serviceType: z.string().min(1).max(64).optional().openapi({ description: "Only entries of this service", example: "ai_writing" }),
    from: historyBound("from").optional(),
    to: historyBound("to").optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().min(1).max(1024).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: "from must not be after to", path: ["from"] });

export const holdBody = z
  .strictObject({
    serviceType: z.string().min(1).max(64).optional().openapi({ example: "image_generation_max" }),
    amount: amountInput().optional(),
    quantity: quantityInput(`Units to reserve at the service's current price (1–${MAX_QUANTITY}, default 1); the hold keeps that unit price`),
    details: detailsInput.optional(),
    ttlSeconds: z.number().int().min(10).max(3600).default(900),
  })
  .refine((b) => b.serviceType !== undefined || b.amount !== undefined, {
    message: "serviceType or amount is required",
    path: ["serviceType"],
  })
  .refine(notBoth, notBothIssue);

export const captureBody = z
  .strictObject({
    amount: amountInput().optional(),
    quantity: quantityInput("Units to capture at the hold's unit price; not with amount"),
    overCapture: z.enum(overCapturePolicies).optional().openapi({
      description:
        "What a capture above the hold does: `reject` (default) answers 400 invalid_amount; `from_available` takes the extra " +
        "from the available balance in the same transaction (paid/bonus in the spend order), or answers 402 insufficient_coins " +
        "(details: the extra required, what is available) with the hold still pending. A frozen account refuses the extra (423)",
    }),
  })
  .refine(notBoth, notBothIssue);

const holdIdParam = z
  .string()
  .regex(/^hold_[0-9a-z]{26}$/)
  .openapi({ param: { name: "holdId", in: "path" }, example: "hold_0123456789abcdefghjkmnpqrs" });

export const holdPath = z.object({ userId: userIdParam, holdId: holdIdParam });

export const transactionPath = z.object({
  userId: userIdParam,
  transactionId: z
    .string()
    .regex(/^tx_[0-9a-z]{26}$/)
    .openapi({ param: { name: "transactionId", in: "path" }, example: "tx_0123456789abcdefghjkmnpqrs" }),
});

export const accountSchema = z
  .object({
    userId: z.string(),
    balance: amountOutput,
    held: amountOutput,
    available: amountOutput,
    paidBalance: amountOutput,
    bonusBalance: amountOutput.openapi({ description: "Bonus coins that count now: bonus lots past their expiry no longer do (docs/credits.md)" }),
    nextBonusExpiry: z
      .object({ at: z.string(), amount: amountOutput })
      .nullable()
      .openapi({ description: "The soonest bonus lot expiry still to come and the coins that expire then (every lot expiring at that instant); null when no bonus coins expire" }),
    used: amountOutput.openapi({ description: "Net usage over the account's life: coins taken by usage and hold captures, less their refunds" }),
    purchased: amountOutput,
    status: z.enum(["active", "frozen"]),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Account");

export const transactionSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    seq: z.number().int(),
    type: z.enum(entryTypes),
    amount: amountOutput,
    paidAmount: amountOutput,
    bonusAmount: amountOutput,
    balanceBefore: amountOutput,
    balanceAfter: amountOutput,
    serviceType: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    paymentMethod: z.string().nullable(),
    paymentReference: z.string().nullable(),
    adminUserId: z.string().nullable(),
    reason: z.string().nullable(),
    relatedTransactionId: z.string().nullable(),
    quantity: z.number().int().nullable().openapi({
      description: "Units this entry is, with unitPrice: always on usage; on a capture or refund when its amount is a whole number of units at the hold's or original's unit price; else null",
    }),
    unitPrice: amountOutput.nullable().openapi({ description: "The price of one unit when the entry was written; later price changes never alter it" }),
    status: z.literal("completed"),
    createdAt: z.string(),
  })
  .openapi("Transaction");

const orderIdParam = z
  .string()
  .regex(/^ord_[0-9a-z]{26}$/)
  .openapi({ param: { name: "orderId", in: "path" }, example: "ord_0123456789abcdefghjkmnpqrs" });

export const orderPath = z.object({ userId: userIdParam, orderId: orderIdParam });

export const purchaseBody = z.strictObject({ packageId: z.string().min(1).max(64).openapi({ example: "popular" }) });

export const confirmBody = z.strictObject({
  paymentKey: z.string().min(1).max(200).openapi({ description: "The payment key the gateway's checkout returned" }),
  amount: z.number().int().positive().optional().openapi({ description: "KRW the checkout charged; refused unless it is the order's" }),
});

export const cancelPurchaseBody = z.strictObject({ reason: text(200).openapi({ example: "단순 변심" }) });

export const orderSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    packageId: z.string(),
    packageName: z.string(),
    coins: amountOutput,
    bonusCoins: amountOutput,
    amountKrw: z.number().int(),
    status: z.enum(["pending", "paid", "failed", "cancel_pending", "canceled", "refund_pending"]),
    paymentKey: z.string().nullable(),
    confirmAttemptAt: z.string().nullable(),
    paymentMethod: z.string().nullable(),
    transactionId: z.string().nullable(),
    cancelTransactionId: z.string().nullable(),
    failureCode: z.string().nullable(),
    failureMessage: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    paidAt: z.string().nullable(),
    canceledAt: z.string().nullable(),
  })
  .openapi("Order");

export const holdSchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    amount: amountOutput,
    quantity: z.number().int().openapi({ description: "Units reserved (a hold of a bare amount is one unit of it)" }),
    unitPrice: amountOutput.openapi({ description: "The unit price at reserve time; amount = quantity × unitPrice" }),
    serviceType: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
    status: z.enum(["pending", "captured", "released", "expired"]),
    expiresAt: z.string(),
    capturedAmount: amountOutput.nullable(),
    captureTransactionId: z.string().nullable(),
    createdAt: z.string(),
    settledAt: z.string().nullable(),
  })
  .openapi("Hold");

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi("Error");

export const accountResponse = z.object({ account: accountSchema });
export const postingResponse = z.object({ transaction: transactionSchema, account: accountSchema });
export const transactionResponse = z.object({ transaction: transactionSchema });
export const holdResponse = z.object({ hold: holdSchema, account: accountSchema });
export const orderResponse = z.object({ order: orderSchema });
export const settledOrderResponse = z.object({ order: orderSchema, transaction: transactionSchema, account: accountSchema });
export const holdOnlyResponse = z.object({ hold: holdSchema });
export const captureResponse = z.object({ transaction: transactionSchema, hold: holdSchema, account: accountSchema });
export const transactionsResponse = z.object({
  transactions: z.array(transactionSchema),
  nextCursor: z.string().nullable(),
});
export const pricesResponse = z.object({
  prices: z.array(z.object({ serviceType: z.string(), cost: amountOutput })),
});
export const packagesResponse = z.object({
  packages: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      coins: amountOutput,
      bonusCoins: amountOutput,
      priceKrw: z.number().int(),
      popular: z.boolean(),
      sortOrder: z.number().int(),
      bonusExpiryDays: z.number().int().nullable().openapi({ description: "Days the bonus coins last after payment; null: they never expire" }),
    }),
  ),
});

/** A page of an account's holds or orders: `limit` and `cursor` as for transactions, an optional `status`. */
const recordListQuery = <S extends readonly [string, ...string[]]>(statuses: S, statusDoc: string) =>
  z.strictObject({
    status: z.enum(statuses).optional().openapi({ description: statusDoc }),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().min(1).max(1024).optional().openapi({ description: "`nextCursor` of the previous page" }),
  });
export const holdsQuery = recordListQuery(
  ["pending", "captured", "released", "expired"] as const,
  "Only holds in this status as of now: a pending hold past its expiry counts as expired, as GET of the hold shows it",
);
export const ordersQuery = recordListQuery(["pending", "paid", "failed", "cancel_pending", "canceled"] as const, "Only orders in this status");
export const holdsResponse = z.object({ holds: z.array(holdSchema), nextCursor: z.string().nullable() });
export const ordersResponse = z.object({ orders: z.array(orderSchema), nextCursor: z.string().nullable() });
