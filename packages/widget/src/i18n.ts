import { coins, type Amount } from "@nyang/client";

/** The languages the components speak: Korean by default, English by the `locale` prop. */
export type Locale = "ko" | "en";

const ko = {
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
  bonus: (b: string) => `보너스 +${b}`,
  /** The next bonus lot expiry on the balance badge: "보너스 1,000.00 냥 12월 31일 만료". */
  bonusExpiry: (amount: string, at: string) =>
    `보너스 ${amount} ${new Date(at).toLocaleDateString("ko-KR", { month: "long", day: "numeric", timeZone: "Asia/Seoul" })} 만료`,
  bonusExpiryDays: (days: number) => `구매 후 ${days}일 뒤 만료`,
  buyPackage: (name: string) => `${name} 구매`,
  redirecting: "결제창으로 이동 중…",
  confirming: "결제를 확인하는 중…",
  purchased: (credited: string, balance: string) => `${credited} 충전 완료! 잔액 ${balance}`,
  purchaseFailed: (why: string) => `결제에 실패했어요: ${why}`,
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
  usageChartLabel: (days: number, total: string) => `최근 ${days}일 사용량, 합계 ${total}`,
  runway: (days: number) => `이 속도라면 약 ${days}일 남았어요`,
  runwayNone: "최근 사용이 없어 예상할 수 없어요",
  noUsage: "이 기간에 사용한 냥이 없어요",
  autoChargeTitle: "자동 충전",
  autoChargeEnabled: "자동 충전 켜기",
  threshold: "이 잔액 이하가 되면",
  chargeAmount: "충전할 냥",
  save: "저장",
  saved: "저장했어요",
  registerCard: "카드를 등록하고 켜기",
  card: (company: string, number: string) => `등록된 카드: ${company} ${number}`,
  autoChargeUnavailable: "지금은 자동 충전을 사용할 수 없어요",
  autoChargeDisabledFailures: "결제가 계속 실패해 자동 충전이 꺼졌어요",
  monthlyCap: "월 자동충전 한도 (원)",
  monthlyCapHint: (defaultCap: string | null) => (defaultCap === null ? "비워 두면 한도 없음" : `비워 두면 기본 한도 ${defaultCap}`),
  monthlyCapInvalid: "월 자동충전 한도는 1원 이상의 정수로 입력해 주세요",
  chargedThisMonth: (charged: string, cap: string | null) => (cap === null ? `이번 달 자동충전 ${charged} (한도 없음)` : `이번 달 자동충전 ${charged} / 한도 ${cap}`),
  monthlyCapReached: "이번 달 자동충전 한도에 도달했어요. 다음 달에 다시 충전돼요",
  krw: (n: number) => `${n.toLocaleString("ko-KR")}원`,
  when: (iso: string) => new Date(iso).toLocaleString("ko-KR", { dateStyle: "short", timeStyle: "short", timeZone: "Asia/Seoul" }),
  types: {
    signup_bonus: "가입 보너스",
    purchase: "구매",
    auto_charge: "자동 충전",
    usage: "사용",
    refund: "환불",
    admin_adjustment: "관리자 조정",
    hold_capture: "예약 사용 확정",
    expiration: "소멸",
    bonus_expiry: "보너스 소멸",
  } as Record<string, string>,
  services: {
    ai_writing: "AI 글쓰기",
    image_generation_dev: "이미지 생성 Dev",
    image_generation_pro: "이미지 생성 Pro",
    image_generation_max: "이미지 생성 Max",
    keyword_analysis: "키워드 분석",
    smart_place_ranking: "플레이스 순위",
  } as Record<string, string>,
  errors: {
    account_frozen: "정지된 계정이라 결제할 수 없어요",
    payment_declined: "카드사에서 결제를 거절했어요",
    payment_pending: "결제 확인이 늦어지고 있어요. 잠시 후 잔액을 확인해 주세요",
    balance_limit_exceeded: "보유 한도를 넘어 충전할 수 없어요",
    network_error: "네트워크에 연결할 수 없어요",
    unauthorized: "다시 로그인해 주세요",
  } as Record<string, string>,
};

export type Messages = typeof ko;

const en: Messages = {
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
  bonus: (b) => `+${b} bonus`,
  bonusExpiry: (amount, at) => `${amount} bonus expires ${new Date(at).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "Asia/Seoul" })}`,
  bonusExpiryDays: (days) => `expires ${days} days after purchase`,
  buyPackage: (name) => `Buy ${name}`,
  redirecting: "Opening the payment window…",
  confirming: "Confirming your payment…",
  purchased: (credited, balance) => `${credited} added! Balance ${balance}`,
  purchaseFailed: (why) => `The payment failed: ${why}`,
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
  usageChartLabel: (days, total) => `Usage over the last ${days} days, ${total} in total`,
  runway: (days) => `About ${days} days left at this pace`,
  runwayNone: "No recent usage to project from",
  noUsage: "No coins used in this period",
  autoChargeTitle: "Auto-charge",
  autoChargeEnabled: "Auto-charge on",
  threshold: "When the balance falls to",
  chargeAmount: "Coins to add",
  save: "Save",
  saved: "Saved",
  registerCard: "Register a card and turn on",
  card: (company, number) => `Card on file: ${company} ${number}`,
  autoChargeUnavailable: "Auto-charge is not available right now",
  autoChargeDisabledFailures: "Auto-charge turned itself off after failed payments",
  monthlyCap: "Monthly auto-charge cap (KRW)",
  monthlyCapHint: (defaultCap) => (defaultCap === null ? "Leave empty for no cap" : `Leave empty for the default cap of ${defaultCap}`),
  monthlyCapInvalid: "The monthly cap must be a whole number of won, 1 or more",
  chargedThisMonth: (charged, cap) => (cap === null ? `Auto-charged this month: ${charged} (no cap)` : `Auto-charged this month: ${charged} of ${cap}`),
  monthlyCapReached: "This month's auto-charge cap is reached; charging resumes next month",
  krw: (n) => `₩${n.toLocaleString("en-US")}`,
  when: (iso) => new Date(iso).toLocaleString("en-US", { dateStyle: "short", timeStyle: "short", timeZone: "Asia/Seoul" }),
  types: {
    signup_bonus: "Signup bonus",
    purchase: "Purchase",
    auto_charge: "Auto-charge",
    usage: "Usage",
    refund: "Refund",
    admin_adjustment: "Adjustment",
    hold_capture: "Hold captured",
    expiration: "Expired",
    bonus_expiry: "Bonus expired",
  },
  services: {
    ai_writing: "AI writing",
    image_generation_dev: "Image generation Dev",
    image_generation_pro: "Image generation Pro",
    image_generation_max: "Image generation Max",
    keyword_analysis: "Keyword analysis",
    smart_place_ranking: "Place ranking",
  },
  errors: {
    account_frozen: "This account is frozen, so it cannot pay",
    payment_declined: "The card issuer declined the payment",
    payment_pending: "The payment is taking a while; check your balance shortly",
    balance_limit_exceeded: "This would take the balance over its limit",
    network_error: "Cannot reach the network",
    unauthorized: "Please sign in again",
  },
};

export const messages: Record<Locale, Messages> = { ko, en };

const numberLocale: Record<Locale, string> = { ko: "ko-KR", en: "en-US" };

/**
 * The one money formatter of the web components: `1,234.50 냥`, grouped per locale, exact
 * (the amount stays a decimal string end to end; @nyang/client's `coins.format` does the digits).
 */
export function formatCoins(amount: Amount, locale: Locale = "ko"): string {
  return coins.format(amount, { locale: numberLocale[locale] });
}

/** A signed amount for a ledger line: `+3.00 냥` / `-3.00 냥`. */
export function formatSignedCoins(amount: Amount, locale: Locale = "ko"): string {
  const text = formatCoins(amount, locale);
  return coins.isNegative(amount) || coins.isZero(amount) ? text : `+${text}`;
}

/** A person's message for a failure: the code's own text when the components know it, else the API's message. */
export function describeError(t: Messages, error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && t.errors[code]) return t.errors[code];
  return error instanceof Error ? error.message : String(error);
}
