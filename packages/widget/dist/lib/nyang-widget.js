import { createContext as e, useCallback as t, useContext as n, useEffect as r, useId as i, useMemo as a, useRef as o, useState as s, useSyncExternalStore as c } from "react";
import { coins as l, isNewer as u, keyFor as d } from "@nyang/client";
import { Fragment as f, jsx as p, jsxs as m } from "react/jsx-runtime";
// src/balance-store.ts
var h = {
	account: null,
	balance: null,
	available: null,
	held: null,
	seq: -1,
	status: "off",
	loading: !0,
	error: null
}, g = class {
	client;
	userId;
	live;
	snapshot = h;
	at = "";
	listeners = /* @__PURE__ */ new Set();
	subscription = null;
	generation = 0;
	constructor(e, t, n) {
		this.client = e, this.userId = t, this.live = n;
	}
	getSnapshot = () => this.snapshot;
	subscribe = (e) => (this.listeners.add(e), this.listeners.size === 1 && this.start(), () => {
		this.listeners.delete(e), this.listeners.size === 0 && this.stop();
	});
	refresh = async () => {
		let e = this.generation;
		try {
			let t = await this.client.accounts.get(this.userId);
			if (e !== this.generation) return;
			this.applyAccount(t);
		} catch (t) {
			if (e !== this.generation) return;
			this.set({
				...this.snapshot,
				loading: !1,
				error: t
			});
		}
	};
	applyAccount(e) {
		let t = {
			seq: e.version,
			at: e.updatedAt
		};
		(!this.snapshot.account || u({
			seq: this.snapshot.seq,
			at: this.at
		}, t, !0)) && (this.at = e.updatedAt, this.set({
			...this.snapshot,
			account: e,
			..._(e.balance, e.available),
			seq: e.version,
			loading: !1,
			error: null
		}));
	}
	applyPush(e) {
		if (e.account) return this.applyAccount(e.account);
		u({
			seq: this.snapshot.seq,
			at: this.at
		}, {
			seq: e.seq,
			at: e.at
		}) && (this.at = e.at, this.set({
			...this.snapshot,
			..._(e.balance, e.available),
			seq: e.seq,
			loading: !1,
			error: null
		}));
	}
	start() {
		if (this.generation++, this.refresh(), this.live) try {
			this.subscription = this.client.realtime.subscribe({
				userId: this.userId,
				onBalance: (e) => this.applyPush(e),
				onStatus: (e) => this.set({
					...this.snapshot,
					status: e
				})
			});
		} catch {
			this.set({
				...this.snapshot,
				status: "off"
			});
		}
	}
	stop() {
		this.generation++, this.subscription?.close(), this.subscription = null;
	}
	set(e) {
		this.snapshot = e;
		for (let e of this.listeners) e();
	}
};
function _(e, t) {
	return {
		balance: e,
		available: t,
		held: l.sub(e, t)
	};
}
var v = {
	ko: {
		balance: "잔액",
		held: "사용 대기",
		available: "사용 가능",
		buy: "충전하기",
		lowBalance: "잔액이 얼마 남지 않았어요",
		frozen: "이용이 정지된 계정이에요",
		loading: "불러오는 중…",
		loadFailed: "불러오지 못했어요",
		retry: "다시 시도",
		live: "실시간",
		shopTitle: "냥 충전",
		popular: "인기",
		bonus: (e) => `보너스 +${e}`,
		buyPackage: (e) => `${e} 구매`,
		redirecting: "결제창으로 이동 중…",
		confirming: "결제를 확인하는 중…",
		purchased: (e, t) => `${e} 충전 완료! 잔액 ${t}`,
		purchaseFailed: (e) => `결제에 실패했어요: ${e}`,
		purchaseCanceled: "결제를 취소했어요",
		historyTitle: "이용 내역",
		filterType: "종류",
		filterService: "서비스",
		all: "전체",
		loadMore: "더 보기",
		empty: "내역이 없어요",
		colWhen: "일시",
		colType: "종류",
		colService: "서비스",
		colAmount: "금액",
		colBalance: "잔액",
		refundOf: "환불 대상",
		usageTitle: "일별 사용량",
		usageChartLabel: (e, t) => `최근 ${e}일 사용량, 합계 ${t}`,
		runway: (e) => `이 속도라면 약 ${e}일 남았어요`,
		runwayNone: "최근 사용이 없어 예상할 수 없어요",
		noUsage: "이 기간에 사용한 냥이 없어요",
		autoChargeTitle: "자동 충전",
		autoChargeEnabled: "자동 충전 켜기",
		threshold: "이 잔액 이하가 되면",
		chargeAmount: "충전할 냥",
		save: "저장",
		saved: "저장했어요",
		registerCard: "카드를 등록하고 켜기",
		card: (e, t) => `등록된 카드: ${e} ${t}`,
		autoChargeUnavailable: "지금은 자동 충전을 사용할 수 없어요",
		autoChargeDisabledFailures: "결제가 계속 실패해 자동 충전이 꺼졌어요",
		krw: (e) => `${e.toLocaleString("ko-KR")}원`,
		when: (e) => new Date(e).toLocaleString("ko-KR", {
			dateStyle: "short",
			timeStyle: "short",
			timeZone: "Asia/Seoul"
		}),
		types: {
			signup_bonus: "가입 보너스",
			purchase: "구매",
			auto_charge: "자동 충전",
			usage: "사용",
			refund: "환불",
			admin_adjustment: "관리자 조정",
			hold_capture: "예약 사용 확정",
			expiration: "소멸"
		},
		services: {
			ai_writing: "AI 글쓰기",
			image_generation_dev: "이미지 생성 Dev",
			image_generation_pro: "이미지 생성 Pro",
			image_generation_max: "이미지 생성 Max",
			keyword_analysis: "키워드 분석",
			smart_place_ranking: "플레이스 순위"
		},
		errors: {
			account_frozen: "정지된 계정이라 결제할 수 없어요",
			payment_declined: "카드사에서 결제를 거절했어요",
			payment_pending: "결제 확인이 늦어지고 있어요. 잠시 후 잔액을 확인해 주세요",
			balance_limit_exceeded: "보유 한도를 넘어 충전할 수 없어요",
			network_error: "네트워크에 연결할 수 없어요",
			unauthorized: "다시 로그인해 주세요"
		}
	},
	en: {
		balance: "Balance",
		held: "On hold",
		available: "Available",
		buy: "Buy coins",
		lowBalance: "Your balance is running low",
		frozen: "This account is frozen",
		loading: "Loading…",
		loadFailed: "Could not load",
		retry: "Try again",
		live: "Live",
		shopTitle: "Buy 냥",
		popular: "Popular",
		bonus: (e) => `+${e} bonus`,
		buyPackage: (e) => `Buy ${e}`,
		redirecting: "Opening the payment window…",
		confirming: "Confirming your payment…",
		purchased: (e, t) => `${e} added! Balance ${t}`,
		purchaseFailed: (e) => `The payment failed: ${e}`,
		purchaseCanceled: "You cancelled the payment",
		historyTitle: "History",
		filterType: "Type",
		filterService: "Service",
		all: "All",
		loadMore: "Load more",
		empty: "Nothing here yet",
		colWhen: "When",
		colType: "Type",
		colService: "Service",
		colAmount: "Amount",
		colBalance: "Balance",
		refundOf: "Refund of",
		usageTitle: "Daily usage",
		usageChartLabel: (e, t) => `Usage over the last ${e} days, ${t} in total`,
		runway: (e) => `About ${e} days left at this pace`,
		runwayNone: "No recent usage to project from",
		noUsage: "No coins used in this period",
		autoChargeTitle: "Auto-charge",
		autoChargeEnabled: "Auto-charge on",
		threshold: "When the balance falls to",
		chargeAmount: "Coins to add",
		save: "Save",
		saved: "Saved",
		registerCard: "Register a card and turn on",
		card: (e, t) => `Card on file: ${e} ${t}`,
		autoChargeUnavailable: "Auto-charge is not available right now",
		autoChargeDisabledFailures: "Auto-charge turned itself off after failed payments",
		krw: (e) => `₩${e.toLocaleString("en-US")}`,
		when: (e) => new Date(e).toLocaleString("en-US", {
			dateStyle: "short",
			timeStyle: "short",
			timeZone: "Asia/Seoul"
		}),
		types: {
			signup_bonus: "Signup bonus",
			purchase: "Purchase",
			auto_charge: "Auto-charge",
			usage: "Usage",
			refund: "Refund",
			admin_adjustment: "Adjustment",
			hold_capture: "Hold captured",
			expiration: "Expired"
		},
		services: {
			ai_writing: "AI writing",
			image_generation_dev: "Image generation Dev",
			image_generation_pro: "Image generation Pro",
			image_generation_max: "Image generation Max",
			keyword_analysis: "Keyword analysis",
			smart_place_ranking: "Place ranking"
		},
		errors: {
			account_frozen: "This account is frozen, so it cannot pay",
			payment_declined: "The card issuer declined the payment",
			payment_pending: "The payment is taking a while; check your balance shortly",
			balance_limit_exceeded: "This would take the balance over its limit",
			network_error: "Cannot reach the network",
			unauthorized: "Please sign in again"
		}
	}
}, y = {
	ko: "ko-KR",
	en: "en-US"
};
function b(e, t = "ko") {
	return l.format(e, { locale: y[t] });
}
function x(e, t = "ko") {
	let n = b(e, t);
	return l.isNegative(e) || l.isZero(e) ? n : `+${n}`;
}
function S(e, t) {
	let n = t?.code;
	return typeof n == "string" && e.errors[n] ? e.errors[n] : t instanceof Error ? t.message : String(t);
}
// src/provider.tsx
var C = e(null);
function w({ client: e, userId: t = "me", locale: n = "ko", lowBalanceThreshold: i = "20", checkout: s, live: c = !0, children: l }) {
	let u = o(e);
	r(() => {
		u.current !== e && console.warn("<NyangProvider>: the `client` prop changed after mount; the change is ignored. Create the client once.");
	}, [e]);
	let d = a(() => new g(u.current, t, c), [t, c]), f = a(() => ({
		client: u.current,
		userId: t,
		locale: n,
		t: v[n],
		format: (e) => b(e, n),
		lowBalanceThreshold: i,
		checkout: s ?? null,
		balance: d
	}), [
		t,
		n,
		i,
		s,
		d
	]);
	return /* @__PURE__ */ p(C.Provider, {
		value: f,
		children: l
	});
}
function T(e = "useNyang()") {
	let t = n(C);
	if (!t) throw Error(`${e} must be used within <NyangProvider client={…}>: wrap your app (or this part of it) in one.`);
	return t;
}
// src/hooks.ts
function E(e, n) {
	let [i, a] = s({
		data: null,
		loading: !0,
		error: null
	}), [o, c] = s(0);
	r(() => {
		let t = !0;
		return a((e) => ({
			...e,
			loading: !0,
			error: null
		})), e().then((e) => t && a({
			data: e,
			loading: !1,
			error: null
		}), (e) => t && a((t) => ({
			...t,
			loading: !1,
			error: e
		}))), () => {
			t = !1;
		};
	}, [...n, o]);
	let l = t(() => c((e) => e + 1), []);
	return {
		...i,
		reload: l
	};
}
function D() {
	let { balance: e, lowBalanceThreshold: t } = T("useBalance()"), n = c(e.subscribe, e.getSnapshot, e.getSnapshot);
	r(() => {
		let t = () => document.visibilityState === "visible" && void e.refresh();
		return document.addEventListener("visibilitychange", t), () => document.removeEventListener("visibilitychange", t);
	}, [e]);
	let i = n.available !== null && l.lt(n.available, t);
	return {
		...n,
		low: i,
		frozen: n.account?.status === "frozen",
		refresh: e.refresh
	};
}
function O() {
	let { client: e } = T("usePackages()");
	return E(() => e.packages.list(), [e]);
}
function k() {
	let { client: e } = T("usePrices()");
	return E(() => e.prices.list(), [e]);
}
function A(e = {}, n = 20) {
	let { client: i, userId: a } = T("useHistory()"), [o, c] = s([]), [l, u] = s(null), [d, f] = s(!0), [p, m] = s(null), [h, g] = s(0), _ = t((t, r, o) => {
		f(!0), m(null);
		let s = {
			limit: n,
			...e.type ? { type: e.type } : {},
			...e.serviceType ? { serviceType: e.serviceType } : {},
			...t ? { cursor: t } : {}
		};
		i.transactions.list(a, s).then((e) => {
			o() && (c((t) => r ? e.transactions : [...t, ...e.transactions]), u(e.nextCursor ?? null), f(!1));
		}, (e) => {
			o() && (m(e), f(!1));
		});
	}, [
		i,
		a,
		e.type,
		e.serviceType,
		n
	]);
	return r(() => {
		let e = !0;
		return c([]), u(null), _(null, !0, () => e), () => {
			e = !1;
		};
	}, [_, h]), {
		transactions: o,
		loading: d,
		error: p,
		hasMore: l !== null,
		loadMore: () => l !== null && !d && _(l, !1, () => !0),
		reload: () => g((e) => e + 1)
	};
}
function j(e = 30) {
	let { client: t, userId: n } = T("useDailyUsage()");
	return E(() => t.usage.daily(n, { days: e }), [
		t,
		n,
		e
	]);
}
function M() {
	let { client: e, userId: t } = T("useAnalytics()");
	return E(() => e.analytics.get(t), [e, t]);
}
function N() {
	let { client: e, userId: t } = T("useAutoCharge()");
	return E(() => e.autoCharge.get(t), [e, t]);
}
// src/CoinBalance.tsx
function P({ onBuy: e, className: t }) {
	let { t: n, format: r } = T("<CoinBalance>"), a = D(), o = i(), s = a.frozen ? "frozen" : a.low ? "low" : "ok";
	return /* @__PURE__ */ m("section", {
		className: `nyang nyang-balance nyang-balance--${s} ${t ?? ""}`,
		"aria-labelledby": o,
		"data-state": s,
		children: [
			/* @__PURE__ */ m("h2", {
				id: o,
				className: "nyang-balance__label",
				children: [n.balance, a.status === "open" && /* @__PURE__ */ m("span", {
					className: "nyang-live",
					title: n.live,
					children: [/* @__PURE__ */ p("span", {
						"aria-hidden": "true",
						children: "●"
					}), /* @__PURE__ */ p("span", {
						className: "nyang-sr-only",
						children: n.live
					})]
				})]
			}),
			a.balance === null ? a.error ? /* @__PURE__ */ m("p", {
				role: "alert",
				className: "nyang-error",
				children: [
					n.loadFailed,
					": ",
					S(n, a.error),
					" ",
					/* @__PURE__ */ p("button", {
						type: "button",
						onClick: () => void a.refresh(),
						children: n.retry
					})
				]
			}) : /* @__PURE__ */ p("p", {
				"aria-busy": "true",
				children: n.loading
			}) : /* @__PURE__ */ m(f, { children: [
				/* @__PURE__ */ p("p", {
					className: "nyang-balance__amount",
					"aria-live": "polite",
					"data-testid": "nyang-balance-amount",
					children: r(a.balance)
				}),
				a.held !== null && l.gt(a.held, "0") && /* @__PURE__ */ m("p", {
					className: "nyang-balance__held",
					children: [
						n.held,
						" ",
						r(a.held),
						" · ",
						n.available,
						" ",
						r(a.available ?? "0")
					]
				}),
				a.frozen ? /* @__PURE__ */ p("p", {
					role: "status",
					className: "nyang-balance__notice",
					children: n.frozen
				}) : a.low ? /* @__PURE__ */ p("p", {
					role: "status",
					className: "nyang-balance__notice",
					children: n.lowBalance
				}) : null
			] }),
			e && /* @__PURE__ */ p("button", {
				type: "button",
				className: "nyang-button nyang-button--primary",
				onClick: e,
				disabled: a.frozen,
				children: n.buy
			})
		]
	});
}
// src/checkout.ts
var F = { assign: (e) => window.location.assign(e) };
function I(e) {
	let t = e.replace(/\/$/, "");
	return {
		async pay({ order: e, successUrl: n, failUrl: r }) {
			let i = new URLSearchParams({
				orderId: e.id,
				amount: String(e.amountKrw),
				orderName: e.packageName,
				successUrl: n,
				failUrl: r
			});
			F.assign(`${t}/__fake/checkout?${i}`);
		},
		async registerCard({ customerKey: e, successUrl: n, failUrl: r }) {
			F.assign(`${t}/__fake/billing/checkout?${new URLSearchParams({
				customerKey: e,
				successUrl: n,
				failUrl: r
			})}`);
		}
	};
}
function L({ clientKey: e, customerKey: t, sdkUrl: n = "https://js.tosspayments.com/v2/standard" }) {
	let r, i = () => r ??= new Promise((t, r) => {
		let i = document.createElement("script");
		i.src = n, i.onload = () => {
			let n = window.TossPayments;
			n ? t(n(e)) : r(/* @__PURE__ */ Error("Toss Payments SDK did not load"));
		}, i.onerror = () => r(/* @__PURE__ */ Error("Toss Payments SDK did not load")), document.head.appendChild(i);
	});
	return {
		async pay({ order: e, successUrl: n, failUrl: r }) {
			await (await i()).payment({ customerKey: t }).requestPayment({
				method: "CARD",
				amount: {
					currency: "KRW",
					value: e.amountKrw
				},
				orderId: e.id,
				orderName: e.packageName,
				successUrl: n,
				failUrl: r
			});
		},
		async registerCard({ customerKey: e, successUrl: t, failUrl: n }) {
			await (await i()).payment({ customerKey: e }).requestBillingAuth({
				method: "CARD",
				successUrl: t,
				failUrl: n
			});
		}
	};
}
function R(e = window.location.href) {
	let t = new URL(e).searchParams, n = t.get("paymentKey"), r = t.get("orderId");
	if (n && r) return {
		kind: "paid",
		paymentKey: n,
		orderId: r,
		amount: Number(t.get("amount"))
	};
	let i = t.get("authKey"), a = t.get("customerKey");
	if (i && a) return {
		kind: "card",
		authKey: i,
		customerKey: a
	};
	let o = t.get("code");
	return o ? {
		kind: "failed",
		code: o,
		message: t.get("message") ?? o,
		orderId: r
	} : null;
}
function z(e = window.location.href) {
	let t = new URL(e);
	for (let e of [
		"paymentKey",
		"orderId",
		"amount",
		"code",
		"message",
		"authKey",
		"customerKey",
		"paymentType"
	]) t.searchParams.delete(e);
	return t.toString();
}
// src/CoinShop.tsx
function B({ onPurchased: e, returnUrl: t, className: n }) {
	let { client: a, userId: c, t: u, format: f, checkout: h, balance: g } = T("<CoinShop>"), _ = O(), [v, y] = s({ kind: "idle" }), b = i(), x = o(!1);
	r(() => {
		if (x.current) return;
		x.current = !0;
		let t = R();
		t && t.kind !== "card" && (window.history.replaceState(window.history.state, "", z()), t.kind === "failed" ? y(t.code === "PAY_PROCESS_CANCELED" ? { kind: "canceled" } : {
			kind: "failed",
			message: t.message
		}) : (y({ kind: "confirming" }), a.purchases.confirm(c, t.orderId, { paymentKey: t.paymentKey }, { idempotencyKey: d("confirm", t.orderId, t.paymentKey) }).then((t) => {
			g.applyAccount(t.account), y({
				kind: "done",
				credited: t.transaction.amount,
				balance: t.account.balance
			}), e?.(t);
		}, (e) => y({
			kind: "failed",
			message: S(u, e)
		}))));
	}, [
		a,
		c,
		u,
		g,
		e
	]);
	async function C(e) {
		if (!h) y({
			kind: "failed",
			message: "no checkout configured (<NyangProvider checkout={…}>)"
		});
		else {
			y({
				kind: "redirecting",
				packageId: e.id
			});
			try {
				let n = await a.purchases.create(c, { packageId: e.id }), r = z(t ?? window.location.href);
				await h.pay({
					order: n,
					successUrl: r,
					failUrl: r
				});
			} catch (e) {
				y({
					kind: "failed",
					message: S(u, e)
				});
			}
		}
	}
	let w = v.kind === "redirecting" || v.kind === "confirming";
	return /* @__PURE__ */ m("section", {
		className: `nyang nyang-shop ${n ?? ""}`,
		"aria-labelledby": b,
		children: [
			/* @__PURE__ */ p("h2", {
				id: b,
				children: u.shopTitle
			}),
			v.kind === "confirming" && /* @__PURE__ */ p("p", {
				role: "status",
				children: u.confirming
			}),
			v.kind === "redirecting" && /* @__PURE__ */ p("p", {
				role: "status",
				children: u.redirecting
			}),
			v.kind === "done" && /* @__PURE__ */ p("p", {
				role: "status",
				className: "nyang-success",
				children: u.purchased(f(v.credited), f(v.balance))
			}),
			v.kind === "failed" && /* @__PURE__ */ p("p", {
				role: "alert",
				className: "nyang-error",
				children: u.purchaseFailed(v.message)
			}),
			v.kind === "canceled" && /* @__PURE__ */ p("p", {
				role: "status",
				children: u.purchaseCanceled
			}),
			_.error ? /* @__PURE__ */ m("p", {
				role: "alert",
				className: "nyang-error",
				children: [
					u.loadFailed,
					": ",
					S(u, _.error),
					" ",
					/* @__PURE__ */ p("button", {
						type: "button",
						onClick: _.reload,
						children: u.retry
					})
				]
			}) : _.data === null ? /* @__PURE__ */ p("p", {
				"aria-busy": "true",
				children: u.loading
			}) : /* @__PURE__ */ p("ul", {
				className: "nyang-shop__list",
				children: _.data.map((e) => /* @__PURE__ */ m("li", {
					className: `nyang-package${e.popular ? " nyang-package--popular" : ""}`,
					children: [
						/* @__PURE__ */ m("h3", {
							className: "nyang-package__name",
							children: [e.name, e.popular && /* @__PURE__ */ p("span", {
								className: "nyang-badge",
								children: u.popular
							})]
						}),
						/* @__PURE__ */ p("p", {
							className: "nyang-package__coins",
							children: f(e.coins)
						}),
						!l.isZero(e.bonusCoins) && /* @__PURE__ */ p("p", {
							className: "nyang-package__bonus",
							children: u.bonus(f(e.bonusCoins))
						}),
						/* @__PURE__ */ p("p", {
							className: "nyang-package__price",
							children: u.krw(e.priceKrw)
						}),
						/* @__PURE__ */ p("button", {
							type: "button",
							className: "nyang-button nyang-button--primary",
							disabled: w,
							onClick: () => void C(e),
							"aria-label": u.buyPackage(e.name),
							children: u.krw(e.priceKrw)
						})
					]
				}, e.id))
			})
		]
	});
}
// src/CoinHistory.tsx
var V = [
	"usage",
	"purchase",
	"auto_charge",
	"refund",
	"hold_capture",
	"admin_adjustment",
	"signup_bonus",
	"expiration"
];
function H({ pageSize: e = 20, className: t }) {
	let { t: n, locale: r } = T("<CoinHistory>"), [a, o] = s(""), [c, l] = s(""), u = A({
		type: a || void 0,
		serviceType: c || void 0
	}, e), d = k(), f = i(), h = i(), g = i();
	return /* @__PURE__ */ m("section", {
		className: `nyang nyang-history ${t ?? ""}`,
		"aria-labelledby": f,
		children: [
			/* @__PURE__ */ p("h2", {
				id: f,
				children: n.historyTitle
			}),
			/* @__PURE__ */ m("div", {
				className: "nyang-history__filters",
				children: [
					/* @__PURE__ */ p("label", {
						htmlFor: h,
						children: n.filterType
					}),
					/* @__PURE__ */ m("select", {
						id: h,
						value: a,
						onChange: (e) => o(e.target.value),
						children: [/* @__PURE__ */ p("option", {
							value: "",
							children: n.all
						}), V.map((e) => /* @__PURE__ */ p("option", {
							value: e,
							children: n.types[e] ?? e
						}, e))]
					}),
					/* @__PURE__ */ p("label", {
						htmlFor: g,
						children: n.filterService
					}),
					/* @__PURE__ */ m("select", {
						id: g,
						value: c,
						onChange: (e) => l(e.target.value),
						children: [/* @__PURE__ */ p("option", {
							value: "",
							children: n.all
						}), (d.data ?? []).map((e) => /* @__PURE__ */ p("option", {
							value: e.serviceType,
							children: n.services[e.serviceType] ?? e.serviceType
						}, e.serviceType))]
					})
				]
			}),
			u.error ? /* @__PURE__ */ m("p", {
				role: "alert",
				className: "nyang-error",
				children: [
					n.loadFailed,
					": ",
					S(n, u.error),
					" ",
					/* @__PURE__ */ p("button", {
						type: "button",
						onClick: u.reload,
						children: n.retry
					})
				]
			}) : null,
			!u.loading && !u.error && u.transactions.length === 0 ? /* @__PURE__ */ p("p", { children: n.empty }) : /* @__PURE__ */ m("table", {
				className: "nyang-history__table",
				"aria-labelledby": f,
				"aria-busy": u.loading,
				children: [/* @__PURE__ */ p("thead", { children: /* @__PURE__ */ m("tr", { children: [
					/* @__PURE__ */ p("th", {
						scope: "col",
						children: n.colWhen
					}),
					/* @__PURE__ */ p("th", {
						scope: "col",
						children: n.colType
					}),
					/* @__PURE__ */ p("th", {
						scope: "col",
						children: n.colService
					}),
					/* @__PURE__ */ p("th", {
						scope: "col",
						children: n.colAmount
					}),
					/* @__PURE__ */ p("th", {
						scope: "col",
						children: n.colBalance
					})
				] }) }), /* @__PURE__ */ p("tbody", { children: u.transactions.map((e) => /* @__PURE__ */ p(U, {
					tx: e,
					locale: r
				}, e.id)) })]
			}),
			u.loading && /* @__PURE__ */ p("p", {
				"aria-busy": "true",
				children: n.loading
			}),
			u.hasMore && !u.loading && /* @__PURE__ */ p("button", {
				type: "button",
				className: "nyang-button",
				onClick: u.loadMore,
				children: n.loadMore
			})
		]
	});
}
function U({ tx: e, locale: t }) {
	let { t: n, format: r } = T("<CoinHistory>"), i = !l.isNegative(e.amount), a = e.reason ?? (e.relatedTransactionId ? `${n.refundOf} #${e.relatedTransactionId.slice(-6)}` : null);
	return /* @__PURE__ */ m("tr", {
		className: i ? "nyang-credit" : "nyang-debit",
		children: [
			/* @__PURE__ */ p("td", { children: /* @__PURE__ */ p("time", {
				dateTime: e.createdAt,
				children: n.when(e.createdAt)
			}) }),
			/* @__PURE__ */ m("td", { children: [n.types[e.type] ?? e.type, a && /* @__PURE__ */ m("span", {
				className: "nyang-history__note",
				children: [" · ", a]
			})] }),
			/* @__PURE__ */ p("td", { children: e.serviceType ? n.services[e.serviceType] ?? e.serviceType : "—" }),
			/* @__PURE__ */ p("td", {
				className: "nyang-num",
				children: x(e.amount, t)
			}),
			/* @__PURE__ */ p("td", {
				className: "nyang-num",
				children: r(e.balanceAfter)
			})
		]
	});
}
// src/UsageChart.tsx
var W = 6;
function G({ days: e = 14, className: t }) {
	let { t: n, format: r } = T("<UsageChart>"), a = j(e), o = M(), s = i(), c = i(), l = o.data?.runway;
	return /* @__PURE__ */ m("section", {
		className: `nyang nyang-usage ${t ?? ""}`,
		"aria-labelledby": s,
		children: [
			/* @__PURE__ */ p("h2", {
				id: s,
				children: n.usageTitle
			}),
			o.data && /* @__PURE__ */ p("p", {
				className: "nyang-usage__runway",
				role: "note",
				children: l?.days === null || l === void 0 ? n.runwayNone : n.runway(l.days)
			}),
			a.error ? /* @__PURE__ */ m("p", {
				role: "alert",
				className: "nyang-error",
				children: [
					n.loadFailed,
					": ",
					S(n, a.error),
					" ",
					/* @__PURE__ */ p("button", {
						type: "button",
						onClick: a.reload,
						children: n.retry
					})
				]
			}) : a.data === null ? /* @__PURE__ */ p("p", {
				"aria-busy": "true",
				children: n.loading
			}) : /* @__PURE__ */ p(K, {
				data: a.data,
				days: e,
				titleId: s,
				descId: c,
				label: (t) => n.usageChartLabel(e, r(t)),
				services: n.services,
				empty: n.noUsage
			})
		]
	});
}
function K({ data: e, days: t, descId: n, label: r, services: i, empty: a }) {
	let o = l.sum(e.map((e) => e.total));
	if (l.isZero(o)) return /* @__PURE__ */ p("p", { children: a });
	let s = [...new Set(e.flatMap((e) => e.services.map((e) => e.serviceType)))].sort(), c = e.reduce((e, t) => l.toMinor(t.total) > e ? l.toMinor(t.total) : e, 1n), u = [...e].sort((e, t) => e.day.localeCompare(t.day)).slice(-t), d = 320 / Math.max(u.length, 1), f = Math.max(2, d * .7), h = (e) => Number(e * BigInt(120) / c);
	return /* @__PURE__ */ m("figure", {
		className: "nyang-usage__figure",
		children: [
			/* @__PURE__ */ p("svg", {
				viewBox: "0 0 320 136",
				role: "img",
				"aria-label": r(o),
				"aria-describedby": n,
				className: "nyang-usage__svg",
				children: u.map((e, t) => {
					let n = 120;
					return /* @__PURE__ */ m("g", { children: [s.map((r, i) => {
						let a = e.services.find((e) => e.serviceType === r);
						if (!a) return null;
						let o = h(l.toMinor(a.total));
						return n -= o, /* @__PURE__ */ p("rect", {
							x: t * d + (d - f) / 2,
							y: n,
							width: f,
							height: o,
							className: `nyang-series-${i % W}`
						}, r);
					}), (t === 0 || t === u.length - 1) && /* @__PURE__ */ p("text", {
						x: t * d + d / 2,
						y: 132,
						textAnchor: "middle",
						className: "nyang-usage__tick",
						children: e.day.slice(5)
					})] }, e.day);
				})
			}),
			/* @__PURE__ */ p("figcaption", { children: /* @__PURE__ */ p("ul", {
				className: "nyang-usage__legend",
				children: s.map((e, t) => /* @__PURE__ */ m("li", { children: [/* @__PURE__ */ p("span", {
					"aria-hidden": "true",
					className: `nyang-swatch nyang-series-${t % W}`
				}), i[e] ?? e] }, e))
			}) }),
			/* @__PURE__ */ p("table", {
				id: n,
				className: "nyang-sr-only",
				children: /* @__PURE__ */ p("tbody", { children: u.map((e) => /* @__PURE__ */ m("tr", { children: [/* @__PURE__ */ p("th", {
					scope: "row",
					children: e.day
				}), /* @__PURE__ */ p("td", { children: e.services.map((e) => `${i[e.serviceType] ?? e.serviceType} ${e.total}`).join(", ") })] }, e.day)) })
			})
		]
	});
}
// src/AutoChargeSettings.tsx
var q = "nyang.autoCharge.pending";
function J(e) {
	return `nyang-${e}`.replace(/[^A-Za-z0-9_=.@-]/g, "_").slice(0, 300);
}
function Y({ returnUrl: e, className: t }) {
	let { client: n, userId: a, t: c, checkout: l } = T("<AutoChargeSettings>"), u = N(), { account: d } = D(), [f, h] = s(!1), [g, _] = s(""), [v, y] = s(""), [b, x] = s(null), [C, w] = s(!1), E = i(), O = i(), k = i(), A = o(!1);
	r(() => {
		u.data && (h(u.data.enabled), _(u.data.threshold), y(u.data.amount));
	}, [u.data]), r(() => {
		if (A.current) return;
		A.current = !0;
		let e = R();
		if (!e || e.kind !== "card") return;
		window.history.replaceState(window.history.state, "", z());
		let t = JSON.parse(sessionStorage.getItem(q) ?? "{}");
		sessionStorage.removeItem(q), j(() => n.autoCharge.put(a, {
			enabled: !0,
			paymentMethod: "card",
			...t,
			authKey: e.authKey,
			customerKey: e.customerKey
		}));
	}, []);
	async function j(e) {
		w(!0), x(null);
		try {
			await e(), x({
				ok: !0,
				text: c.saved
			}), u.reload();
		} catch (e) {
			let t = e.code;
			x({
				ok: !1,
				text: t === "auto_charge_unavailable" ? c.autoChargeUnavailable : S(c, e)
			});
		} finally {
			w(!1);
		}
	}
	async function M(t) {
		if (t.preventDefault(), !f) return j(() => n.autoCharge.delete(a));
		if (u.data?.card) return j(() => n.autoCharge.put(a, {
			enabled: !0,
			threshold: g,
			amount: v
		}));
		{
			if (!l || !d) return x({
				ok: !1,
				text: c.autoChargeUnavailable
			});
			sessionStorage.setItem(q, JSON.stringify({
				threshold: g,
				amount: v
			}));
			let t = z(e ?? window.location.href);
			await l.registerCard({
				customerKey: J(d.userId),
				successUrl: t,
				failUrl: t
			});
		}
	}
	let P = u.data?.card;
	return /* @__PURE__ */ m("section", {
		className: `nyang nyang-autocharge ${t ?? ""}`,
		"aria-labelledby": E,
		children: [/* @__PURE__ */ p("h2", {
			id: E,
			children: c.autoChargeTitle
		}), u.error && !u.data ? /* @__PURE__ */ m("p", {
			role: "alert",
			className: "nyang-error",
			children: [
				c.loadFailed,
				": ",
				S(c, u.error)
			]
		}) : u.data === null ? /* @__PURE__ */ p("p", {
			"aria-busy": "true",
			children: c.loading
		}) : /* @__PURE__ */ m("form", {
			onSubmit: (e) => void M(e),
			children: [
				/* @__PURE__ */ m("label", {
					className: "nyang-switch",
					children: [/* @__PURE__ */ p("input", {
						type: "checkbox",
						role: "switch",
						checked: f,
						onChange: (e) => h(e.target.checked)
					}), c.autoChargeEnabled]
				}),
				/* @__PURE__ */ p("label", {
					htmlFor: O,
					children: c.threshold
				}),
				/* @__PURE__ */ p("input", {
					id: O,
					inputMode: "decimal",
					value: g,
					disabled: !f,
					onChange: (e) => _(e.target.value)
				}),
				/* @__PURE__ */ p("label", {
					htmlFor: k,
					children: c.chargeAmount
				}),
				/* @__PURE__ */ p("input", {
					id: k,
					inputMode: "decimal",
					value: v,
					disabled: !f,
					onChange: (e) => y(e.target.value)
				}),
				P && /* @__PURE__ */ p("p", { children: c.card(P.company ?? "", P.number ?? "") }),
				u.data.disabledReason === "payment_failures" && /* @__PURE__ */ p("p", {
					role: "status",
					children: c.autoChargeDisabledFailures
				}),
				/* @__PURE__ */ p("button", {
					type: "submit",
					className: "nyang-button nyang-button--primary",
					disabled: C,
					children: f && !P ? c.registerCard : c.save
				}),
				b && /* @__PURE__ */ p("p", {
					role: b.ok ? "status" : "alert",
					className: b.ok ? "nyang-success" : "nyang-error",
					children: b.text
				})
			]
		})]
	});
}
export { Y as AutoChargeSettings, P as CoinBalance, H as CoinHistory, B as CoinShop, w as NyangProvider, G as UsageChart, z as cleanUrl, J as customerKeyFor, I as fakeTossCheckout, b as formatCoins, x as formatSignedCoins, v as messages, R as readCheckoutReturn, L as tossCheckout, V as transactionTypes, M as useAnalytics, N as useAutoCharge, D as useBalance, j as useDailyUsage, A as useHistory, T as useNyang, O as usePackages, k as usePrices };
