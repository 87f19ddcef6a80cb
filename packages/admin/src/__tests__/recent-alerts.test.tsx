import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { ALERTS_PAGE, RecentAlerts } from "../RecentAlerts.tsx";
import { API, client, server } from "./support.ts";

const alert = (id: string, userId: string, title: string, createdAt: string) => ({
  id, userId, type: "low_balance", severity: "warning", title, message: `${userId} 잔액`, data: {}, read: false, readAt: null, createdAt,
});

describe("recent alerts across accounts", () => {
  it("lists the feed's first page, newest first, and reads the next page with its cursor on 더 보기 until there is none", async () => {
    const asked: string[] = [];
    server.use(
      http.get(`${API}/v1/admin/alerts`, ({ request }) => {
        const q = new URL(request.url).searchParams;
        asked.push(q.toString());
        if (q.get("cursor") === "page-2") {
          return HttpResponse.json({ alerts: [alert("a3", "u-cedar", "세 번째", "2026-11-24T07:00:00.000Z")], nextCursor: null });
        }
        return HttpResponse.json({
          alerts: [alert("a1", "u-alder", "첫 번째", "2026-11-24T09:00:00.000Z"), alert("a2", "u-birch", "두 번째", "2026-11-24T08:00:00.000Z")],
          nextCursor: "page-2",
        });
      }),
    );
    render(<RecentAlerts client={client()} />);
    const list = await screen.findByRole("list", { name: "최근 알림 목록" });
    expect(within(list).getAllByRole("listitem").map((li) => li.querySelector("strong")?.textContent)).toEqual(["첫 번째", "두 번째"]);
    expect(within(list).getByRole("link", { name: "u-birch" })).toHaveAttribute("href", "#/accounts/u-birch");

    await userEvent.click(screen.getByRole("button", { name: "더 보기" }));
    await within(list).findByText("세 번째");
    expect(within(list).getAllByRole("listitem")).toHaveLength(3);
    expect(screen.queryByRole("button", { name: "더 보기" })).toBeNull();
    expect(asked).toEqual([`limit=${ALERTS_PAGE}`, `limit=${ALERTS_PAGE}&cursor=page-2`]);
  });

  it("says when there are no alerts, and shows a refusal as an error", async () => {
    server.use(http.get(`${API}/v1/admin/alerts`, () => HttpResponse.json({ alerts: [], nextCursor: null })));
    const { unmount } = render(<RecentAlerts client={client()} />);
    expect(await screen.findByText("알림이 없어요")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "더 보기" })).toBeNull();
    unmount();

    server.use(http.get(`${API}/v1/admin/alerts`, () => HttpResponse.json({ error: { code: "forbidden", message: "admin only" } }, { status: 403 })));
    render(<RecentAlerts client={client()} />);
    expect(await screen.findByRole("alert")).toHaveTextContent("불러오지 못했어요");
  });
});
