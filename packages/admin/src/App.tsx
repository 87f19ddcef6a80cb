import type { NyangClient } from "@nyang/client";
import { useEffect, useState, type FormEvent } from "react";
import { AccountPage } from "./AccountPage.tsx";
import { Overview } from "./Overview.tsx";

/** `#/` is the overview, `#/accounts/<userId>` an account. */
function useRoute(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return hash.replace(/^#/, "") || "/";
}

export function App({ client }: { client: NyangClient }) {
  const route = useRoute();
  const account = /^\/accounts\/(.+)$/.exec(route);
  return (
    <div className="console">
      <header className="console-header">
        <h1>냥 운영 콘솔</h1>
        <nav aria-label="콘솔 메뉴">
          <a href="#/" aria-current={account ? undefined : "page"}>
            개요
          </a>
          <a href="#/accounts/" aria-current={account ? "page" : undefined}>
            계정
          </a>
        </nav>
      </header>
      <main>{account ? <AccountPage key={account[1]} client={client} userId={decodeURIComponent(account[1]!)} /> : route.startsWith("/accounts") ? <AccountPage client={client} userId="" /> : <Overview client={client} />}</main>
    </div>
  );
}

/** A deployed console without a token yet: the operator pastes one (admin role). */
export function SignIn({ onToken }: { onToken: (token: string) => void }) {
  const [token, setToken] = useState("");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (token.trim()) onToken(token.trim());
  };
  return (
    <main className="console">
      <h1>냥 운영 콘솔</h1>
      <form onSubmit={submit}>
        <label htmlFor="token">관리자 토큰 (admin role JWT)</label>
        <input id="token" type="password" value={token} onChange={(e) => setToken(e.target.value)} />
        <button type="submit">로그인</button>
      </form>
    </main>
  );
}
