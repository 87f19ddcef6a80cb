import { createClient } from "@nyang/client";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "@nyang/widget/styles.css";
import { App, SignIn } from "./App.tsx";
import { loadConfig, rememberToken } from "./config.ts";
import "./console.css";

const root = createRoot(document.getElementById("root")!);
const config = await loadConfig();

function start(token: string) {
  const client = createClient({ baseUrl: config.apiUrl, token });
  root.render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
}

if (config.token) start(config.token);
else
  root.render(
    <SignIn
      onToken={(token) => {
        rememberToken(token);
        start(token);
      }}
    />,
  );
