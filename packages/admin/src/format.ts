import { formatCoins } from "@nyang/widget";

/** The console's numbers: coins by the widget's one formatter, won and dates in Korean. */
export const coinsText = (amount: string) => formatCoins(amount, "ko");
export const krwText = (n: number) => `${n.toLocaleString("ko-KR")}원`;
export const timeText = (iso: string) => new Date(iso).toLocaleString("ko-KR", { dateStyle: "short", timeStyle: "short", timeZone: "Asia/Seoul" });
/** A day in Korea's calendar: `2026. 12. 31.`. */
export const dateText = (iso: string) => new Date(iso).toLocaleDateString("ko-KR", { dateStyle: "medium", timeZone: "Asia/Seoul" });
/** Coins as a chart number: a display value only, never computed with. */
export const chartNumber = (amount: string) => Number(amount);
