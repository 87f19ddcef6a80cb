/**
 * The errors the fake answers with, as Toss does: an HTTP status and `{ code, message }`, with
 * the statuses and messages of Toss's error-code table (reference/error-codes).
 */

/** One answer of the fake: an HTTP status and a JSON body. */
export interface Reply {
  status: number;
  body: unknown;
}

/** A refusal a fault rule asks a route to answer with (after the route's own validation). */
export interface Decline {
  code: string;
  message: string;
  status: number;
}

/** Toss's statuses and messages for the codes the fake answers with (reference/error-codes). */
export const TOSS_ERRORS: Record<string, { status: number; message: string }> = {
  ALREADY_PROCESSED_PAYMENT: { status: 400, message: "이미 처리된 결제 입니다." },
  PROVIDER_ERROR: { status: 400, message: "일시적인 오류가 발생했습니다. 잠시 후 다시 시도해주세요." },
  INVALID_REQUEST: { status: 400, message: "잘못된 요청입니다." },
  INVALID_API_KEY: { status: 400, message: "잘못된 시크릿키 연동 정보 입니다." },
  INVALID_REJECT_CARD: { status: 400, message: "카드 사용이 거절되었습니다. 카드사 문의가 필요합니다." },
  INVALID_STOPPED_CARD: { status: 400, message: "정지된 카드 입니다." },
  BELOW_MINIMUM_AMOUNT: {
    status: 400,
    message: "신용카드는 결제금액이 100원 이상, 계좌는 200원이상부터 결제가 가능합니다.",
  },
  DUPLICATED_ORDER_ID: {
    status: 400,
    message: "이미 승인 및 취소가 진행된 중복된 주문번호 입니다. 다른 주문번호로 진행해주세요.",
  },
  ALREADY_CANCELED_PAYMENT: { status: 400, message: "이미 취소된 결제 입니다." },
  INVALID_IDEMPOTENCY_KEY: { status: 400, message: "멱등키는 300자 이하여야 합니다." },
  UNAUTHORIZED_KEY: { status: 401, message: "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다." },
  REJECT_ACCOUNT_PAYMENT: { status: 403, message: "잔액부족으로 결제에 실패했습니다." },
  REJECT_CARD_PAYMENT: { status: 403, message: "한도초과 혹은 잔액부족으로 결제에 실패했습니다." },
  REJECT_CARD_COMPANY: { status: 403, message: "결제 승인이 거절되었습니다." },
  FORBIDDEN_REQUEST: { status: 403, message: "허용되지 않은 요청입니다." },
  INCORRECT_BASIC_AUTH_FORMAT: { status: 403, message: "잘못된 요청입니다. ':' 를 포함해 인코딩해주세요." },
  NOT_CANCELABLE_AMOUNT: { status: 403, message: "취소 할 수 없는 금액 입니다." },
  NOT_CANCELABLE_PAYMENT: { status: 403, message: "취소 할 수 없는 결제 입니다." },
  FORBIDDEN_CONSECUTIVE_REQUEST: { status: 403, message: "반복적인 요청은 허용되지 않습니다. 잠시 후 다시 시도해주세요." },
  NOT_FOUND_PAYMENT: { status: 404, message: "존재하지 않는 결제 입니다." },
  NOT_FOUND_PAYMENT_SESSION: { status: 404, message: "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다." },
  NOT_FOUND: { status: 404, message: "존재하지 않는 정보 입니다." },
  /** Toss's billing errors (the code and message as Toss answers them; see the header for sources). */
  NOT_MATCHES_CUSTOMER_KEY: { status: 400, message: "빌링 인증 고객키와 결제 요청 고객키가 일치하지 않습니다." },
  /** Synthesised: no documented sample for an unknown billing key. */
  NOT_FOUND_BILLING_KEY: { status: 404, message: "존재하지 않는 빌링키 입니다." },
  IDEMPOTENT_REQUEST_PROCESSING: { status: 409, message: "이전 멱등 요청이 처리중입니다." },
  FAILED_INTERNAL_SYSTEM_PROCESSING: { status: 500, message: "내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요." },
  FAILED_PAYMENT_INTERNAL_SYSTEM_PROCESSING: { status: 500, message: "결제가 완료되지 않았어요. 다시 시도해주세요." },
};

/** Toss's error answer for `code` (its documented status and message unless given). */
export function tossError(code: string, message?: string): Reply {
  const known = TOSS_ERRORS[code];
  return {
    status: known?.status ?? 400,
    body: { code, message: message ?? known?.message ?? "요청을 처리할 수 없습니다." },
  };
}

/** The answer a decline makes. */
export const declined = (d: Decline): Reply => ({ status: d.status, body: { code: d.code, message: d.message } });
