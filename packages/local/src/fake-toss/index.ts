/** The fake Toss Payments gateway (see server.ts): what tests and `npm run dev` use of it. */
export { fakeTossEnv, startFakeTossGateway, type FakeTossGateway, type FakeTossGatewayOptions } from "./server.ts";
export { fakeTossModes, type FakeTossMode, type FakeTossModeOptions, type FakeTossOperation } from "./faults.ts";
export type { FakeTossBilling, FakeTossCancel, FakeTossPayment, FakeTossRequest } from "./state.ts";
