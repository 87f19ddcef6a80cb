/**
 * Where the console finds the API and its token. Under `npm run dev` the dev server answers
 * `/nyang-config.json` with the local URLs and an admin token it minted; a deployed console is
 * built with `VITE_NYANG_API_URL` and the operator signs in with a token of the stage's
 * identity provider, kept for the browser session only.
 */
export interface ConsoleConfig {
  apiUrl: string;
  token: string | null;
  /** Dev only: the fake gateway, for links. */
  fakeTossUrl?: string;
}

const TOKEN_KEY = "nyang.console.token";

export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const r = await fetch("/nyang-config.json", { headers: { accept: "application/json" } });
    if (r.ok && r.headers.get("content-type")?.includes("json")) {
      const c = (await r.json()) as { apiUrl: string; adminToken?: string; fakeTossUrl?: string };
      return { apiUrl: c.apiUrl, token: c.adminToken ?? sessionStorage.getItem(TOKEN_KEY), ...(c.fakeTossUrl ? { fakeTossUrl: c.fakeTossUrl } : {}) };
    }
  } catch {
    // No dev config: a deployed console.
  }
  return { apiUrl: import.meta.env.VITE_NYANG_API_URL ?? "", token: sessionStorage.getItem(TOKEN_KEY) };
}

export function rememberToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}
