import { randomBytes } from "node:crypto";

/** A user id no other test (or earlier run against a kept table) uses: `<prefix>-<time>-<random>`. */
export function uniqueUserId(prefix = "u"): string {
  const id = `${prefix}-${Date.now().toString(36)}-${randomBytes(5).toString("hex")}`;
  if (!/^[A-Za-z0-9_.:@-]{1,128}$/.test(id)) throw new Error(`prefix ${JSON.stringify(prefix)} makes an invalid user id`);
  return id;
}
