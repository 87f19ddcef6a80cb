import { screen, waitFor } from "@testing-library/react";
import { act } from "react";
import { describe, expect, it } from "vitest";
import { mount } from "../standalone.tsx";
import { API, account, accountRoute, server } from "./support.tsx";

describe("Nyang.mount (the standalone bundle's entry)", () => {
  it("renders the chosen components into an element, with its styles, and unmounts", async () => {
    server.use(accountRoute(account({ balance: "42.00", available: "42.00" })));
    const el = document.createElement("div");
    document.body.appendChild(el);
    let mounted: { unmount(): void } | undefined;
    await act(async () => {
      mounted = mount(el, { baseUrl: API, token: "t", retry: false, components: ["balance"], locale: "en" });
    });
    expect(await screen.findByRole("region", { name: /^Balance/ })).toHaveTextContent("42.00 냥");
    expect(document.querySelectorAll("style[data-nyang-widget]")).toHaveLength(1);
    act(() => mounted!.unmount());
    await waitFor(() => expect(el).toBeEmptyDOMElement());
    el.remove();
  });
});
