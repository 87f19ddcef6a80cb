/**
 * Generated from the API's OpenAPI document (GET /v1/openapi.json) by openapi-typescript.
 * Do not edit: run `npm run generate:client` after changing a route or a schema.
 */
export interface paths {
    "/v1/accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Open an account with the signup grant (idempotent by userId: an open account is returned as is) */
        post: operations["openAccount"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An account's balance, held and available coins, paid/bonus split and totals */
        get: operations["getAccount"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/adjustments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Signed admin adjustment; never below zero */
        post: operations["adjustBalance"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's alerts, newest first (at most 100); `unread=true` for unread ones only */
        get: operations["listAlerts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/alerts/{alertId}/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark an alert read (idempotent: readAt stays the first time) */
        post: operations["markAlertRead"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/analytics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Balance, monthly usage, next month's prediction (method and confidence stated), runway, recent alerts, recommendations */
        get: operations["getAccountAnalytics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/auto-charge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's auto-charge settings (the defaults, off, when it never set any), whether the service offers auto-charge (`available`) and whether it will charge this account (`active`), and the `customerKey` to open Toss's card-registration window with */
        get: operations["getAutoCharge"];
        /**
         * Set auto-charge. Turning it on needs a registered card (the authKey from Toss's card-registration window opened with this account's customerKey, once) and AUTO_CHARGE_ENABLED (else 409 auto_charge_unavailable); fields left out keep their value. If the balance is already at or below the threshold, the account is charged right away. 402 payment_declined: the card could not be registered; 422 customer_key_mismatch: the registration is another customer's
         * @description 422 balance_limit_exceeded (details: max, balanceAfter, threshold, amount): threshold + amount is above MAX_COIN_AMOUNT — a charge lands on a balance at or below the threshold, so it must fit under the limit there. A charge that would still pass the limit (another credit landed first, or the limit was lowered) is skipped before the card is charged (auto_charge alert skipped_over_limit, not counted as a card refusal), or, once the card was charged, cancelled at the gateway instead of credited (alert refunded_over_limit). Coins are never credited past the limit and money is never kept without coins. The monthly cap (monthlyCapKrw, Korea-time calendar months) counts every charge started in the month; one that would pass it is skipped before the card is charged (canceled MONTHLY_CAP_REACHED, one auto_charge alert cap_reached per month), a charge that closes unpaid gives its KRW back, and the next month charges again.
         */
        put: operations["setAutoCharge"];
        post?: never;
        /** Turn auto-charge off and forget the registered card (a charge already in flight still settles) */
        delete: operations["disableAutoCharge"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/charges": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Credit paid coins (admin) */
        post: operations["chargeCoins"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/freeze": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Freeze an account (admin): spends, holds and charges answer 423 until it is unfrozen */
        post: operations["freezeAccount"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/holds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's holds, newest first, `limit` (1–100, default 50) at a time from `cursor`; `status` keeps one status as of now (a pending hold past its expiry is expired). A filtered page may come back short with a nextCursor */
        get: operations["listHolds"];
        put?: never;
        /** Reserve a service's price (or `amount`) for `ttlSeconds` (10–3600, default 900) */
        post: operations["createHold"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/holds/{holdId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A hold as it stands now (a pending hold past its expiry shows as expired) */
        get: operations["getHold"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/holds/{holdId}/capture": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Capture (part of) a pending hold as a hold_capture entry (`amount`, `quantity` units at the hold's unit price, or all); the rest is freed. Above the hold only with `overCapture: from_available`: the extra comes from the available balance in the same transaction, else 402 and the hold stays pending */
        post: operations["captureHold"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/holds/{holdId}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Release a pending hold; no ledger entry is written. Idempotency-Key is optional here
         * @description With an Idempotency-Key, a retry replays (Idempotent-Replayed: true) and the key is taken like any coin-moving call's: sent with another request (another hold, a spend, a capture) it is 409 idempotency_conflict. Without one, releasing a released hold is 409 hold_not_pending.
         */
        post: operations["releaseHold"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/purchases": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's payment orders, newest first, `limit` (1–100, default 50) at a time from `cursor`; `status` keeps one status. A filtered page may come back short with a nextCursor */
        get: operations["listPurchases"];
        put?: never;
        /** Create a payment order for an active package */
        post: operations["createPurchase"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/purchases/{orderId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An order as it stands */
        get: operations["getPurchase"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/purchases/{orderId}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel an unused purchase within the withdrawal window (PURCHASE_REFUND_DAYS, default 7) and refund it. 409 refund_window_closed / purchase_coins_spent / order_not_pending
         * @description The coins are taken back first (order cancel_pending), then the gateway cancels the payment. 402 payment_declined: the gateway refused the cancel, so the coins are given back and the order is paid again — even if that lifts the balance above MAX_COIN_AMOUNT (other credits landed meanwhile): the money was kept, so the coins are owed; the integrity audit reports the balance (over_limit). 504 payment_pending: no answer; the reconciliation finishes it. The Idempotency-Key is taken before the gateway is asked: with another order, reason or route it is 409 idempotency_conflict.
         */
        post: operations["cancelPurchase"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/purchases/{orderId}/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Confirm the payment with the gateway and credit coins + bonus once. 402 payment_declined: the order failed; 504 payment_pending: no answer from the gateway, confirm again (or the reconciliation settles it)
         * @description 409 payment_mismatch (details.gatewayCode): the payment key is not a payment of this order — one the gateway never issued (NOT_FOUND_PAYMENT), a checkout for another order or an expired one (NOT_FOUND_PAYMENT_SESSION), or another order's approved payment (ALREADY_PROCESSED_PAYMENT, checked by looking the key up). Nothing was charged for this order; it stays pending, confirmable with the key of its own checkout.
         *
         *     422 balance_limit_exceeded: the order's coins + bonus would lift the balance above MAX_COIN_AMOUNT as the account stands now (credits may have landed since the order opened). details.payment says what became of the money: `not_charged` — refused before the gateway was asked; the order stays pending and confirms once the balance has room; `refunded` — the gateway approved it while another credit used up the room, so the payment was cancelled and the order failed (failureCode BALANCE_LIMIT_EXCEEDED); `refund_pending` — that cancel is on its way (order status refund_pending), finished by the payment reconciliation. Coins are never credited past the limit and money is never kept without coins.
         *
         *     A payment the gateway approved for another amount than the order's is refunded the same crash-safe way (order refund_pending, then failed with failureCode AMOUNT_MISMATCH); the confirm answers 504 payment_pending meanwhile.
         *
         *     The Idempotency-Key is taken before the gateway is asked and kept whatever the answer: the same key with another order, paymentKey or route is 409 idempotency_conflict; a retry with the same body answers as the first call did.
         */
        post: operations["confirmPurchase"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/refunds": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Refund (part of) a usage or hold_capture entry */
        post: operations["refundUsage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/transactions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Ledger entries, newest first; `from`/`to` are inclusive: ISO times, or UTC dates meaning the whole day */
        get: operations["listTransactions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/transactions/{transactionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One ledger entry */
        get: operations["getTransaction"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/unfreeze": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Unfreeze an account (admin) */
        post: operations["unfreezeAccount"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Spend coins for a service (its price, or `amount`) */
        post: operations["spendCoins"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/accounts/{userId}/usage/daily": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Usage per business day and service over the last `days` days (today included, every day listed): count, total (gross), gross, refunded, net */
        get: operations["getDailyUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/accounts/{userId}/auto-charge/charges/{chargeId}/retry-refund": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Retry the refund of an auto-charge payment the gateway refused to cancel; 200 with the charge `refunded`
         * @description For a charge `refund_pending` off the sweeps' queue (the gateway refused its cancel; the integrity audit reports it as unsettled_charge). The cancel is sent again under a new gateway idempotency key (the refused key would replay its refusal), with the record back under a lease first, so a crash or a lost answer is resent by the hourly sweep under that same key. It moves no coins (the coins were never credited), so it takes no Idempotency-Key: a repeat after success answers 409. 402 payment_declined (details.gatewayCode): the gateway refused again; the charge stays refund_pending with the new refusal in failureMessage. 504 payment_pending: no answer; the sweep resends it. 404 charge_not_found. 409 charge_not_refund_pending: refunded already, never refunding, or a refund still under way.
         */
        post: operations["retryAutoChargeRefund"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/accounts/{userId}/auto-charge/unsettled": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The account's auto-charges whose refund the gateway refused: `refund_pending`, off the sweeps' queue, waiting for an operator */
        get: operations["listUnsettledAutoCharges"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recent alerts of every account, newest first, `limit` (1–100, default 50) at a time from `cursor`; `type` keeps one type, `since` (inclusive) bounds the age. A filtered page may come back short with a nextCursor. Alerts raised before this feed's index existed are not in it */
        get: operations["listRecentAlerts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/analytics/revenue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Platform revenue for 7/30/90 days: totals (KRW net of cancels), ARPU per active account, daily trend */
        get: operations["getRevenue"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/analytics/top-users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The 50 accounts with the most net usage in the period (gross, refunded and net shown) */
        get: operations["getTopUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The integrity check's last result; `fresh=true` runs one now (bounded to 15 s, resumable) */
        get: operations["getIntegrityReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness: the API answers */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/packages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The coin packages on sale, by sortOrder */
        get: operations["listPackages"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/prices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The price of each service, in coins */
        get: operations["listPrices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The limits and defaults the service runs with, for a UI: whether auto-charge is available, its defaults, the alert threshold */
        get: operations["getSettings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Account: {
            /** @example 97.00 */
            available: string;
            /** @example 97.00 */
            balance: string;
            /**
             * @description Bonus coins that count now: bonus lots past their expiry no longer do (docs/credits.md)
             * @example 97.00
             */
            bonusBalance: string;
            createdAt: string;
            /** @example 97.00 */
            held: string;
            /** @description The soonest bonus lot expiry still to come and the coins that expire then (every lot expiring at that instant); null when no bonus coins expire */
            nextBonusExpiry: {
                /** @example 97.00 */
                amount: string;
                at: string;
            } | null;
            /** @example 97.00 */
            paidBalance: string;
            /** @example 97.00 */
            purchased: string;
            /** @enum {string} */
            status: "active" | "frozen";
            updatedAt: string;
            /**
             * @description Net usage over the account's life: coins taken by usage and hold captures, less their refunds
             * @example 97.00
             */
            used: string;
            userId: string;
            version: number;
        };
        AccountAnalytics: {
            account: components["schemas"]["Account"];
            /** @example 97.00 */
            available: string;
            /** @example 97.00 */
            balance: string;
            monthlyUsage: {
                count: number;
                /**
                 * @description Coins taken by usage and hold_capture entries
                 * @example 97.00
                 */
                gross: string;
                /** @example 2026-11 */
                month: string;
                /**
                 * @description gross − refunded; negative on a day with more refunded than used
                 * @example 97.00
                 */
                net: string;
                /**
                 * @description Coins given back by refunds of them (a purchase cancel is not usage)
                 * @example 97.00
                 */
                refunded: string;
                /**
                 * @description The gross (docs/api.md's total)
                 * @example 97.00
                 */
                total: string;
            }[];
            prediction: {
                basis: {
                    weeklyTotals: string[];
                    weeks: number;
                };
                /** @enum {string} */
                confidence: "high" | "medium" | "low";
                /**
                 * @description Upper end of the 80% interval
                 * @example 97.00
                 */
                high: string;
                /**
                 * @description Lower end of the 80% interval
                 * @example 97.00
                 */
                low: string;
                method: string;
                /** @example 97.00 */
                nextMonth: string;
            };
            recentAlerts: components["schemas"]["Alert"][];
            recommendations: components["schemas"]["Recommendation"][];
            runway: {
                /** @example 97.00 */
                dailyPace: string;
                /** @description Whole days the available coins last; null when there is no recent usage */
                days: number | null;
                method: string;
            };
            userId: string;
        };
        Alert: {
            /**
             * Format: date-time
             * @example 2026-11-24T09:00:00.000Z
             */
            createdAt: string;
            /** @description What triggered the alert; its fields depend on `type` (docs/events.md) */
            data: {
                [key: string]: unknown;
            };
            /** @example alert_17640000000000123456789abcdef */
            id: string;
            message: string;
            read: boolean;
            /**
             * Format: date-time
             * @example 2026-11-24T09:00:00.000Z
             */
            readAt: string | null;
            /** @enum {string} */
            severity: "info" | "warning" | "critical";
            title: string;
            /** @enum {string} */
            type: "low_balance" | "high_usage" | "unusual_activity" | "auto_charge";
            userId: string;
        };
        AuditReport: {
            accountsChecked: number;
            accountsConfirmed: number;
            /**
             * Format: date-time
             * @description The time holds, orders and alerts were judged against
             * @example 2026-11-24T09:00:00.000Z
             */
            asOf: string;
            /** @description Every segment was read to its end */
            complete: boolean;
            /** @description Every finding, by kind, truncated or not */
            counts: {
                balance_mismatch?: number;
                cap_count_mismatch?: number;
                chain_break?: number;
                entry_arithmetic?: number;
                hold_mismatch?: number;
                lot_mismatch?: number;
                missing_account?: number;
                orphan_hold?: number;
                orphan_hold_entry?: number;
                over_limit?: number;
                seq_gap?: number;
                split_mismatch?: number;
                stale_hold?: number;
                stale_lot?: number;
                unsettled_charge?: number;
                unsettled_order?: number;
                unusual_activity?: number;
                unverified?: number;
                version_mismatch?: number;
            };
            durationMs: number;
            findings: {
                /** @enum {string} */
                kind: "seq_gap" | "chain_break" | "entry_arithmetic" | "balance_mismatch" | "split_mismatch" | "version_mismatch" | "lot_mismatch" | "missing_account" | "orphan_hold_entry" | "orphan_hold" | "hold_mismatch" | "stale_hold" | "stale_lot" | "unsettled_order" | "unsettled_charge" | "cap_count_mismatch" | "over_limit" | "unusual_activity" | "unverified";
                message: string;
                /** @enum {string} */
                severity: "critical" | "warning" | "info";
                userId: string;
            }[];
            findingsTruncated: number;
            /**
             * Format: date-time
             * @example 2026-11-24T09:00:00.000Z
             */
            finishedAt: string;
            id: string;
            /** @description The pass this run belongs to: the id of the run that started it */
            passId: string;
            requestUnits: {
                confirm: number;
                pages: number;
                perAccount: number;
                read: number;
                scan: number;
            };
            /** @description Where the next run continues; null when complete */
            resume: {
                segments: ({
                    /** @enum {boolean} */
                    done: true;
                } | {
                    /** @enum {boolean} */
                    done: false;
                    startKey: {
                        [key: string]: unknown;
                    } | null;
                })[];
                totalSegments: number;
            } | null;
            /** @description Runs folded into this report */
            runs: number;
            segments: number;
            /**
             * Format: date-time
             * @example 2026-11-24T09:00:00.000Z
             */
            startedAt: string;
            /** @description Findings that are not information: what makes a report unhealthy */
            violations: number;
        } | null;
        AutoChargeRecord: {
            /** @example 10.00 */
            amount: string;
            amountKrw: number;
            attempts: number;
            createdAt: string;
            /** @description Why its payment is given back: BALANCE_LIMIT_EXCEEDED or APPROVED_AFTER_CLOSE */
            failureCode: string | null;
            /** @description The gateway's refusal of the refund, for a refund waiting for an operator */
            failureMessage: string | null;
            /**
             * @description The charge record, and the gateway order id of its payment
             * @example ac_0123456789abcdefghjkmnpqrs
             */
            id: string;
            paymentKey: string | null;
            /** @description Operator retries of the refund so far */
            refundRetries: number;
            /** @enum {string} */
            status: "charging" | "retry_wait" | "paid" | "gave_up" | "canceled" | "refund_pending" | "refunded";
            updatedAt: string;
            userId: string;
        };
        AutoChargeSettings: {
            /** @description Whether this account will be charged when it falls to its threshold: enabled, available and a card registered */
            active: boolean;
            /** @example 10.00 */
            amount: string;
            amountKrw: number;
            /** @description Whether the service offers auto-charge at all (AUTO_CHARGE_ENABLED). When false nothing is charged */
            available: boolean;
            /**
             * @description The Korea-time month the two figures above are of (YYYY-MM)
             * @example 2026-12
             */
            capMonth: string;
            card: {
                company: string | null;
                number: string | null;
                registeredAt: string;
            } | null;
            /** @description KRW auto-charged (or being charged) this calendar month, Korea time; a charge closed unpaid gives its KRW back */
            chargedThisMonthKrw: number;
            consecutiveFailures: number;
            /** @description The account's customer key at Toss: open the card-registration window (requestBillingAuth) with it. Derived from the account, stable */
            customerKey: string;
            disabledAt: string | null;
            /** @enum {string|null} */
            disabledReason: "payment_failures" | "user" | null;
            /** @description The cap in force this month: the account's own, else the service's default; null: no cap */
            effectiveMonthlyCapKrw: number | null;
            /** @description The account's own choice: on or off (kept while the service switch is off) */
            enabled: boolean;
            /** @description The account's own monthly cap (KRW); null: the service's default applies */
            monthlyCapKrw: number | null;
            /** @enum {string} */
            paymentMethod: "card";
            /** @example 10.00 */
            threshold: string;
            updatedAt: string;
            userId: string;
        };
        DailyUsage: {
            count: number;
            /**
             * @description A business day (DAY_UTC_OFFSET_HOURS)
             * @example 2026-11-24
             */
            day: string;
            /**
             * @description Coins taken by usage and hold_capture entries
             * @example 97.00
             */
            gross: string;
            /**
             * @description gross − refunded; negative on a day with more refunded than used
             * @example 97.00
             */
            net: string;
            /**
             * @description Coins given back by refunds of them (a purchase cancel is not usage)
             * @example 97.00
             */
            refunded: string;
            services: {
                count: number;
                /**
                 * @description Coins taken by usage and hold_capture entries
                 * @example 97.00
                 */
                gross: string;
                /**
                 * @description gross − refunded; negative on a day with more refunded than used
                 * @example 97.00
                 */
                net: string;
                /**
                 * @description Coins given back by refunds of them (a purchase cancel is not usage)
                 * @example 97.00
                 */
                refunded: string;
                serviceType: string;
                /**
                 * @description The gross (docs/api.md's total)
                 * @example 97.00
                 */
                total: string;
            }[];
            /**
             * @description The gross (docs/api.md's total)
             * @example 97.00
             */
            total: string;
        };
        Error: {
            error: {
                code: string;
                details?: {
                    [key: string]: unknown;
                };
                message: string;
            };
        };
        Health: {
            report: components["schemas"]["AuditReport"];
            /** @enum {string} */
            status: "healthy" | "unhealthy" | "unknown";
        };
        Hold: {
            /** @example 97.00 */
            amount: string;
            /** @example 97.00 */
            capturedAmount: string | null;
            captureTransactionId: string | null;
            createdAt: string;
            details: {
                [key: string]: unknown;
            } | null;
            expiresAt: string;
            id: string;
            /** @description Units reserved (a hold of a bare amount is one unit of it) */
            quantity: number;
            serviceType: string | null;
            settledAt: string | null;
            /** @enum {string} */
            status: "pending" | "captured" | "released" | "expired";
            /**
             * @description The unit price at reserve time; amount = quantity × unitPrice
             * @example 97.00
             */
            unitPrice: string;
            userId: string;
        };
        Order: {
            amountKrw: number;
            /** @example 97.00 */
            bonusCoins: string;
            canceledAt: string | null;
            cancelTransactionId: string | null;
            /** @example 97.00 */
            coins: string;
            confirmAttemptAt: string | null;
            createdAt: string;
            failureCode: string | null;
            failureMessage: string | null;
            id: string;
            packageId: string;
            packageName: string;
            paidAt: string | null;
            paymentKey: string | null;
            paymentMethod: string | null;
            /** @enum {string} */
            status: "pending" | "paid" | "failed" | "cancel_pending" | "canceled" | "refund_pending";
            transactionId: string | null;
            updatedAt: string;
            userId: string;
        };
        Recommendation: {
            details: {
                /** @example 97.00 */
                balance: string;
                /** @example 97.00 */
                threshold: string;
            };
            /** @enum {string} */
            kind: "low_balance";
            message: string;
            messageEn: string;
        } | {
            details: {
                /** @example 97.00 */
                balance: string;
                /** @example 97.00 */
                gap: string;
                package: {
                    /** @example 97.00 */
                    bonusCoins: string;
                    /** @example 97.00 */
                    coins: string;
                    id: string;
                    name: string;
                    priceKrw: number;
                } | null;
                /** @example 97.00 */
                predicted: string;
                quantity: number;
                totalPriceKrw: number;
            };
            /** @enum {string} */
            kind: "top_up";
            message: string;
            messageEn: string;
        } | {
            details: {
                /** @example 97.00 */
                dailyPace: string;
                runwayDays: number;
            };
            /** @enum {string} */
            kind: "enable_auto_charge";
            message: string;
            messageEn: string;
        } | {
            details: {
                cheaperServiceType: string | null;
                /** @example 97.00 */
                coins: string;
                count: number;
                /** @example 97.00 */
                estimatedSaving: string;
                serviceType: string;
                /** @description Share of the window's coins, 0..1 */
                share: number;
                /** @example 97.00 */
                totalCoins: string;
                windowDays: number;
            };
            /** @enum {string} */
            kind: "heavy_service";
            message: string;
            messageEn: string;
        };
        Revenue: {
            daily: {
                activeAccounts: number;
                /**
                 * @description A business day (DAY_UTC_OFFSET_HOURS)
                 * @example 2026-11-24
                 */
                day: string;
                /** @example 97.00 */
                netUsageCoins: string;
                /** @example 97.00 */
                purchaseCoins: string;
                /** @example 97.00 */
                refundCoins: string;
                revenueKrw: number;
                /** @example 97.00 */
                usageCoins: string;
            }[];
            /**
             * @description A business day (DAY_UTC_OFFSET_HOURS)
             * @example 2026-11-24
             */
            from: string;
            /** @enum {string} */
            period: "7days" | "30days" | "90days";
            /** @description Usage per service over the period (usage entries and captured holds), by service type */
            services: {
                /** @example 97.00 */
                coins: string;
                count: number;
                serviceType: string;
            }[];
            /**
             * @description A business day (DAY_UTC_OFFSET_HOURS)
             * @example 2026-11-24
             */
            to: string;
            totals: {
                activeAccounts: number;
                arpuKrw: number;
                canceledKrw: number;
                /**
                 * @description usageCoins (gross) − refundCoins
                 * @example 97.00
                 */
                netUsageCoins: string;
                /** @example 97.00 */
                purchaseCoins: string;
                purchaseCount: number;
                purchaseKrw: number;
                /** @example 97.00 */
                refundCoins: string;
                revenueKrw: number;
                /** @example 97.00 */
                usageCoins: string;
                usageCount: number;
            };
        };
        ServiceSettings: {
            autoCharge: {
                /** @description Whether the service offers auto-charge (AUTO_CHARGE_ENABLED). When false, turning it on is refused and nothing is charged */
                available: boolean;
                /**
                 * @description An account's charge amount when it sets none (AUTO_CHARGE_AMOUNT)
                 * @example 10.00
                 */
                defaultAmount: string;
                /**
                 * @description An account's threshold when it sets none (AUTO_CHARGE_THRESHOLD)
                 * @example 10.00
                 */
                defaultThreshold: string;
                /** @description KRW an auto-charge takes per coin (AUTO_CHARGE_KRW_PER_COIN) */
                krwPerCoin: number;
            };
            /**
             * @description A low_balance alert is raised at or below this (LOW_BALANCE_THRESHOLD)
             * @example 10.00
             */
            lowBalanceThreshold: string;
            /**
             * @description No balance may exceed this (MAX_COIN_AMOUNT)
             * @example 10.00
             */
            maxCoinAmount: string;
            /** @description The smallest purchase or auto-charge, in KRW (MIN_PURCHASE_AMOUNT) */
            minPurchaseAmountKrw: number;
        };
        TopUsers: {
            /**
             * @description A business day (DAY_UTC_OFFSET_HOURS)
             * @example 2026-11-24
             */
            from: string;
            /** @enum {string} */
            period: "7days" | "30days" | "90days";
            /**
             * @description A business day (DAY_UTC_OFFSET_HOURS)
             * @example 2026-11-24
             */
            to: string;
            users: {
                /**
                 * @description Coins taken by usage and hold_capture entries
                 * @example 97.00
                 */
                gross: string;
                /**
                 * @description gross − refunded; negative on a day with more refunded than used
                 * @example 97.00
                 */
                net: string;
                rank: number;
                /**
                 * @description Coins given back by refunds of them (a purchase cancel is not usage)
                 * @example 97.00
                 */
                refunded: string;
                /**
                 * @description The gross
                 * @example 97.00
                 */
                usageCoins: string;
                usageCount: number;
                userId: string;
            }[];
        };
        Transaction: {
            adminUserId: string | null;
            /** @example 97.00 */
            amount: string;
            /** @example 97.00 */
            balanceAfter: string;
            /** @example 97.00 */
            balanceBefore: string;
            /** @example 97.00 */
            bonusAmount: string;
            createdAt: string;
            details: {
                [key: string]: unknown;
            } | null;
            id: string;
            /** @example 97.00 */
            paidAmount: string;
            paymentMethod: string | null;
            paymentReference: string | null;
            /** @description Units this entry is, with unitPrice: always on usage; on a capture or refund when its amount is a whole number of units at the hold's or original's unit price; else null */
            quantity: number | null;
            reason: string | null;
            relatedTransactionId: string | null;
            seq: number;
            serviceType: string | null;
            /** @enum {string} */
            status: "completed";
            /** @enum {string} */
            type: "signup_bonus" | "purchase" | "auto_charge" | "usage" | "refund" | "admin_adjustment" | "hold_capture" | "expiration" | "bonus_expiry";
            /**
             * @description The price of one unit when the entry was written; later price changes never alter it
             * @example 97.00
             */
            unitPrice: string | null;
            userId: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    openAccount: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    userId: string;
                };
            };
        };
        responses: {
            /** @description Already open: returned unchanged */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                    };
                };
            };
            /** @description Opened, with the signup grant */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description payload_too_large: body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAccount: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The account */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    adjustBalance: {
        parameters: {
            query?: never;
            header: {
                /** @description Scoped to the account; a replay returns the original result with Idempotent-Replayed: true */
                "Idempotency-Key": string;
            };
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Coins as a decimal string (or JSON number) with at most two fraction digits
                     * @example -5.00
                     */
                    amount: string;
                    /** @example Compensation for an outage */
                    reason: string;
                };
            };
        };
        responses: {
            /** @description The ledger entry written and the account after it */
            201: {
                headers: {
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                        transaction: components["schemas"]["Transaction"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description insufficient_coins (details: required, available), or payment_declined */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description idempotency_conflict, or a state rule (refund_exceeds_original, hold_not_pending, too_many_holds, order_not_pending, payment_mismatch, charge_not_refund_pending, …) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description payload_too_large: body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description balance_limit_exceeded or below_minimum_purchase */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying with the same Idempotency-Key */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listAlerts: {
        parameters: {
            query?: {
                limit?: number;
                unread?: "true" | "false";
            };
            header?: never;
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Alerts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        alerts: components["schemas"]["Alert"][];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    markAlertRead: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                alertId: string;
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The alert */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        alert: components["schemas"]["Alert"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAccountAnalytics: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Account analytics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccountAnalytics"];
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAutoCharge: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The settings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        autoCharge: components["schemas"]["AutoChargeSettings"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    setAutoCharge: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Coins each charge buys (default AUTO_CHARGE_AMOUNT); threshold + amount ≤ MAX_COIN_AMOUNT
                     * @example 3.00
                     */
                    amount?: string;
                    /** @description From the card-registration window's success URL; the window must have been opened with this account's customerKey */
                    authKey?: string;
                    /** @description Optional: the customerKey the success URL carries, passed through. It is only checked: anything but this account's customerKey is refused 422 customer_key_mismatch */
                    customerKey?: string;
                    enabled: boolean;
                    /** @description The most KRW auto-charge may take from this account per calendar month, Korea time (whole won, 1–1,000,000,000). null: the service's default (AUTO_CHARGE_MONTHLY_CAP_KRW; none when unset). Left out: kept. A charge that would pass it is skipped (no payment, one auto_charge alert cap_reached a month) and auto-charge resumes next month */
                    monthlyCapKrw?: number | null;
                    /**
                     * @description Toss automatic payments take cards only
                     * @enum {string}
                     */
                    paymentMethod?: "card";
                    /**
                     * @description Charge when the balance falls to or below this (default AUTO_CHARGE_THRESHOLD); threshold + amount ≤ MAX_COIN_AMOUNT
                     * @example 3.00
                     */
                    threshold?: string;
                };
            };
        };
        responses: {
            /** @description The settings as saved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        autoCharge: components["schemas"]["AutoChargeSettings"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description insufficient_coins (details: required, available), or payment_declined */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description idempotency_conflict, or a state rule (refund_exceeds_original, hold_not_pending, too_many_holds, order_not_pending, payment_mismatch, charge_not_refund_pending, …) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description payload_too_large: body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description balance_limit_exceeded or below_minimum_purchase */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying with the same Idempotency-Key */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    disableAutoCharge: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The settings, off */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        autoCharge: components["schemas"]["AutoChargeSettings"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying with the same Idempotency-Key */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    chargeCoins: {
        parameters: {
            query?: never;
            header: {
                /** @description Scoped to the account; a replay returns the original result with Idempotent-Replayed: true */
                "Idempotency-Key": string;
            };
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Coins as a decimal string (or JSON number) with at most two fraction digits
                     * @example 3.00
                     */
                    amount: string;
                    /** @example card */
                    paymentMethod: string;
                    paymentReference?: string;
                    /**
                     * @default purchase
                     * @enum {string}
                     */
                    type?: "purchase" | "auto_charge";
                };
            };
        };
        responses: {
            /** @description The ledger entry written and the account after it */
            201: {
                headers: {
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                        transaction: components["schemas"]["Transaction"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description idempotency_conflict, or a state rule (refund_exceeds_original, hold_not_pending, too_many_holds, order_not_pending, payment_mismatch, charge_not_refund_pending, …) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description payload_too_large: body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description balance_limit_exceeded or below_minimum_purchase */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_frozen */
            423: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying with the same Idempotency-Key */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    freezeAccount: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The account */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listHolds: {
        parameters: {
            query?: {
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                limit?: number;
                /** @description Only holds in this status as of now: a pending hold past its expiry counts as expired, as GET of the hold shows it */
                status?: "pending" | "captured" | "released" | "expired";
            };
            header?: never;
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of holds */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        holds: components["schemas"]["Hold"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createHold: {
        parameters: {
            query?: never;
            header: {
                /** @description Scoped to the account; a replay returns the original result with Idempotent-Replayed: true */
                "Idempotency-Key": string;
            };
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Coins as a decimal string (or JSON number) with at most two fraction digits
                     * @example 3.00
                     */
                    amount?: string;
                    /**
                     * @description Free-form JSON about the action (at most 4 KiB)
                     * @example {
                     *       "action": "generate_content"
                     *     }
                     */
                    details?: {
                        [key: string]: unknown;
                    };
                    /**
                     * @description Units to reserve at the service's current price (1–10000, default 1); the hold keeps that unit price
                     * @example 4
                     */
                    quantity?: number;
                    /** @example image_generation_max */
                    serviceType?: string;
                    /** @default 900 */
                    ttlSeconds?: number;
                };
            };
        };
        responses: {
            /** @description The pending hold and the account with its coins reserved */
            201: {
                headers: {
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                        hold: components["schemas"]["Hold"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description insufficient_coins (details: required, available), or payment_declined */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description idempotency_conflict, or a state rule (refund_exceeds_original, hold_not_pending, too_many_holds, order_not_pending, payment_mismatch, charge_not_refund_pending, …) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description payload_too_large: body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_frozen */
            423: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying with the same Idempotency-Key */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getHold: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                holdId: string;
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The hold */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        hold: components["schemas"]["Hold"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    captureHold: {
        parameters: {
            query?: never;
            header: {
                /** @description Scoped to the account; a replay returns the original result with Idempotent-Replayed: true */
                "Idempotency-Key": string;
            };
            path: {
                holdId: string;
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /**
                     * @description Coins as a decimal string (or JSON number) with at most two fraction digits
                     * @example 3.00
                     */
                    amount?: string;
                    /**
                     * @description What a capture above the hold does: `reject` (default) answers 400 invalid_amount; `from_available` takes the extra from the available balance in the same transaction (paid/bonus in the spend order), or answers 402 insufficient_coins (details: the extra required, what is available) with the hold still pending. A frozen account refuses the extra (423)
                     * @enum {string}
                     */
                    overCapture?: "reject" | "from_available";
                    /**
                     * @description Units to capture at the hold's unit price; not with amount
                     * @example 4
                     */
                    quantity?: number;
                };
            };
        };
        responses: {
            /** @description The hold_capture entry, the captured hold and the account */
            201: {
                headers: {
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                        hold: components["schemas"]["Hold"];
                        transaction: components["schemas"]["Transaction"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description insufficient_coins (details: required, available), or payment_declined */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description idempotency_conflict, or a state rule (refund_exceeds_original, hold_not_pending, too_many_holds, order_not_pending, payment_mismatch, charge_not_refund_pending, …) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description payload_too_large: body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_frozen */
            423: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying with the same Idempotency-Key */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    releaseHold: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                holdId: string;
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The released hold and the account */
            200: {
                headers: {
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                        hold: components["schemas"]["Hold"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description idempotency_conflict, or a state rule (refund_exceeds_original, hold_not_pending, too_many_holds, order_not_pending, payment_mismatch, charge_not_refund_pending, …) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying with the same Idempotency-Key */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listPurchases: {
        parameters: {
            query?: {
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                limit?: number;
                /** @description Only orders in this status */
                status?: "pending" | "paid" | "failed" | "cancel_pending" | "canceled";
            };
            header?: never;
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of orders */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        nextCursor: string | null;
                        orders: components["schemas"]["Order"][];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createPurchase: {
        parameters: {
            query?: never;
            header: {
                /** @description Scoped to the account; a replay returns the original result with Idempotent-Replayed: true */
                "Idempotency-Key": string;
            };
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @example popular */
                    packageId: string;
                };
            };
        };
        responses: {
            /** @description The pending order; its id is the gateway's orderId */
            201: {
                headers: {
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        order: components["schemas"]["Order"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description idempotency_conflict, or a state rule (refund_exceeds_original, hold_not_pending, too_many_holds, order_not_pending, payment_mismatch, charge_not_refund_pending, …) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description payload_too_large: body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description balance_limit_exceeded or below_minimum_purchase */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_frozen */
            423: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying with the same Idempotency-Key */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getPurchase: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orderId: string;
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        order: components["schemas"]["Order"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    cancelPurchase: {
        parameters: {
            query?: never;
            header: {
                /** @description Scoped to the account; a replay returns the original result with Idempotent-Replayed: true */
                "Idempotency-Key": string;
            };
            path: {
                orderId: string;
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @example 단순 변심 */
                    reason: string;
                };
            };
        };
        responses: {
            /** @description Cancelled: the order, the refund entry taking the coins back, the account */
            200: {
                headers: {
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                        order: components["schemas"]["Order"];
                        transaction: components["schemas"]["Transaction"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description insufficient_coins (details: required, available), or payment_declined */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description idempotency_conflict, or a state rule (refund_exceeds_original, hold_not_pending, too_many_holds, order_not_pending, payment_mismatch, charge_not_refund_pending, …) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description payload_too_large: body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying with the same Idempotency-Key */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    confirmPurchase: {
        parameters: {
            query?: never;
            header: {
                /** @description Scoped to the account; a replay returns the original result with Idempotent-Replayed: true */
                "Idempotency-Key": string;
            };
            path: {
                orderId: string;
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description KRW the checkout charged; refused unless it is the order's */
                    amount?: number;
                    /** @description The payment key the gateway's checkout returned */
                    paymentKey: string;
                };
            };
        };
        responses: {
            /** @description Paid: the order, its purchase entry and the account */
            200: {
                headers: {
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                        order: components["schemas"]["Order"];
                        transaction: components["schemas"]["Transaction"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description insufficient_coins (details: required, available), or payment_declined */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description order_not_pending, idempotency_conflict, or payment_mismatch: the key is not this order's payment */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description payload_too_large: body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description balance_limit_exceeded: the coins would pass MAX_COIN_AMOUNT; details.payment is not_charged, refunded or refund_pending */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying with the same Idempotency-Key */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description payment_pending: no answer from the gateway; the payment may have gone through */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    refundUsage: {
        parameters: {
            query?: never;
            header: {
                /** @description Scoped to the account; a replay returns the original result with Idempotent-Replayed: true */
                "Idempotency-Key": string;
            };
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Coins as a decimal string (or JSON number) with at most two fraction digits
                     * @example 3.00
                     */
                    amount?: string;
                    /**
                     * @description Units to refund at the entry's stored unit price (never today's price); not with amount
                     * @example 4
                     */
                    quantity?: number;
                    reason: string;
                    transactionId: string;
                };
            };
        };
        responses: {
            /** @description The ledger entry written and the account after it */
            201: {
                headers: {
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                        transaction: components["schemas"]["Transaction"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description idempotency_conflict, or a state rule (refund_exceeds_original, hold_not_pending, too_many_holds, order_not_pending, payment_mismatch, charge_not_refund_pending, …) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description payload_too_large: body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying with the same Idempotency-Key */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listTransactions: {
        parameters: {
            query?: {
                cursor?: string;
                /** @description Inclusive start: an ISO time in UTC, or a date (UTC) meaning 00:00:00.000 of that day */
                from?: string;
                limit?: number;
                /** @description Only entries of this service */
                serviceType?: string;
                /** @description Inclusive end: an ISO time in UTC, or a date (UTC) meaning 23:59:59.999 of that day */
                to?: string;
                type?: "signup_bonus" | "purchase" | "auto_charge" | "usage" | "refund" | "admin_adjustment" | "hold_capture" | "expiration" | "bonus_expiry";
            };
            header?: never;
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        nextCursor: string | null;
                        transactions: components["schemas"]["Transaction"][];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTransaction: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                transactionId: string;
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The entry */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        transaction: components["schemas"]["Transaction"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    unfreezeAccount: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The account */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    spendCoins: {
        parameters: {
            query?: never;
            header: {
                /** @description Scoped to the account; a replay returns the original result with Idempotent-Replayed: true */
                "Idempotency-Key": string;
            };
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description The total to debit instead of the price list's (one unit of it); not with quantity
                     * @example 3.00
                     */
                    amount?: string;
                    /**
                     * @description Free-form JSON about the action (at most 4 KiB)
                     * @example {
                     *       "action": "generate_content"
                     *     }
                     */
                    details?: {
                        [key: string]: unknown;
                    };
                    /**
                     * @description Units to debit at the service's current price (1–10000, default 1); the entry keeps the unit price and quantity
                     * @example 4
                     */
                    quantity?: number;
                    /** @example ai_writing */
                    serviceType: string;
                };
            };
        };
        responses: {
            /** @description The ledger entry written and the account after it */
            201: {
                headers: {
                    "Idempotent-Replayed"?: "true";
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        account: components["schemas"]["Account"];
                        transaction: components["schemas"]["Transaction"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description insufficient_coins (details: required, available), or payment_declined */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description idempotency_conflict, or a state rule (refund_exceeds_original, hold_not_pending, too_many_holds, order_not_pending, payment_mismatch, charge_not_refund_pending, …) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description payload_too_large: body over 64 KiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_frozen */
            423: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying with the same Idempotency-Key */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDailyUsage: {
        parameters: {
            query?: {
                days?: number;
            };
            header?: never;
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Daily usage */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        days: components["schemas"]["DailyUsage"][];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    retryAutoChargeRefund: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An auto-charge record's id */
                chargeId: string;
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The charge, refunded */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        charge: components["schemas"]["AutoChargeRecord"];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description insufficient_coins (details: required, available), or payment_declined */
            402: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_not_found, transaction_not_found, hold_not_found, order_not_found, package_not_found, alert_not_found or charge_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description idempotency_conflict, or a state rule (refund_exceeds_original, hold_not_pending, too_many_holds, order_not_pending, payment_mismatch, charge_not_refund_pending, …) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description account_busy: too much contention on the account within the time budget; retry with the same Idempotency-Key after Retry-After seconds */
            429: {
                headers: {
                    /** @description Seconds to wait before retrying with the same Idempotency-Key */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description payment_pending: no answer from the gateway; the hourly sweep resends the refund */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listUnsettledAutoCharges: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A user id, or `me` */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Oldest first; empty when none waits */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        charges: components["schemas"]["AutoChargeRecord"][];
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listRecentAlerts: {
        parameters: {
            query?: {
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                limit?: number;
                /** @description Inclusive start: an ISO time in UTC, or a date (UTC) meaning 00:00:00.000 of that day */
                since?: string;
                /** @description Only alerts of this type */
                type?: "low_balance" | "high_usage" | "unusual_activity" | "auto_charge";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of alerts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        alerts: components["schemas"]["Alert"][];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRevenue: {
        parameters: {
            query?: {
                period?: "7days" | "30days" | "90days";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revenue */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Revenue"];
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTopUsers: {
        parameters: {
            query?: {
                period?: "7days" | "30days" | "90days";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Top users */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TopUsers"];
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getIntegrityReport: {
        parameters: {
            query?: {
                fresh?: "true" | "false";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description healthy: the last report found no violation; unhealthy: it did; unknown: no audit has run yet */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description validation_failed, invalid_amount, unknown_service or idempotency_key_required */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description unauthorized: no, invalid or expired token */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description forbidden: role or ownership */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The API is up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok";
                    };
                };
            };
        };
    };
    listPackages: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Active coin packages by sortOrder */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        packages: {
                            /** @example 97.00 */
                            bonusCoins: string;
                            /** @description Days the bonus coins last after payment; null: they never expire */
                            bonusExpiryDays: number | null;
                            /** @example 97.00 */
                            coins: string;
                            id: string;
                            name: string;
                            popular: boolean;
                            priceKrw: number;
                            sortOrder: number;
                        }[];
                    };
                };
            };
        };
    };
    listPrices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The price of each service, in coins */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        prices: {
                            /** @example 97.00 */
                            cost: string;
                            serviceType: string;
                        }[];
                    };
                };
            };
        };
    };
    getSettings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The service's public settings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ServiceSettings"];
                };
            };
        };
    };
}
