import { createClient } from "@nyang/client";
import { StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";
import { AutoChargeSettings, CoinBalance, CoinHistory, CoinShop, NyangProvider, UsageChart, fakeTossCheckout, type Locale } from "../src/index.ts";
import "../src/styles.css";
import "./demo.css";

/**
 * A product page that embeds the widget for one user, as a product team would. `npm run dev`
 * serves it with `/nyang-config.json`: the local API and WebSocket URLs, a user token for
 * the demo account it opened, and the fake Toss gateway's URL.
 */
interface DemoConfig {
  apiUrl: string;
  realtimeUrl: string;
  userToken: string;
  userId: string;
  fakeTossUrl?: string;
}

const config = (await (await fetch("/nyang-config.json")).json()) as DemoConfig;
const client = createClient({ baseUrl: config.apiUrl, token: config.userToken, realtimeUrl: config.realtimeUrl });
const checkout = config.fakeTossUrl ? fakeTossCheckout(config.fakeTossUrl) : undefined;

function Demo() {
  const [locale, setLocale] = useState<Locale>(new URLSearchParams(location.search).get("lang") === "en" ? "en" : "ko");
  return (
    <NyangProvider client={client} locale={locale} {...(checkout ? { checkout } : {})}>
      <header className="demo-header">
        <h1>AI 글쓰기 스튜디오</h1>
        <span className="demo-user">{config.userId}</span>
        <label>
          <span className="demo-sr">Language</span>
          <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)} aria-label="Language">
            <option value="ko">한국어</option>
            <option value="en">English</option>
          </select>
        </label>
      </header>
      <main className="demo-grid">
        <CoinBalance onBuy={() => document.getElementById("shop")?.scrollIntoView({ behavior: "smooth" })} />
        <UsageChart />
        <div id="shop" className="demo-wide">
          <CoinShop />
        </div>
        <div className="demo-wide">
          <CoinHistory pageSize={10} />
        </div>
        <AutoChargeSettings />
      </main>
    </NyangProvider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Demo />
  </StrictMode>,
);
