import { screen, within } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { UsageChart } from "../UsageChart.tsx";
import { API, renderWidget, server } from "./support.tsx";

const analytics = (days: number | null) =>
  http.get(`${API}/v1/accounts/me/analytics`, () => HttpResponse.json({ runway: { days, dailyPace: "7.50", method: "x" } }));

describe("<UsageChart>", () => {
  it("draws daily usage per service as SVG bars, with the runway and an accessible summary", async () => {
    server.use(
      analytics(12),
      http.get(`${API}/v1/accounts/me/usage/daily`, ({ request }) => {
        expect(new URL(request.url).searchParams.get("days")).toBe("7");
        return HttpResponse.json({
          days: [
            { day: "2026-11-23", count: 2, total: "6.00", services: [{ serviceType: "ai_writing", count: 2, total: "6.00" }] },
            {
              day: "2026-11-24",
              count: 3,
              total: "9.10",
              services: [
                { serviceType: "ai_writing", count: 1, total: "3.00" },
                { serviceType: "image_generation_max", count: 2, total: "6.10" },
              ],
            },
          ],
        });
      }),
    );
    const { container } = renderWidget(<UsageChart days={7} />);
    expect(await screen.findByRole("note")).toHaveTextContent("이 속도라면 약 12일 남았어요");
    const chart = await screen.findByRole("img", { name: "최근 7일 사용량, 합계 15.10 냥" });
    expect(container.querySelectorAll("rect")).toHaveLength(3);
    // The tallest day is drawn full height (exact from minor units), its parts in proportion.
    const heights = [...container.querySelectorAll("rect")].map((r) => Number(r.getAttribute("height")));
    expect(heights[1]! + heights[2]!).toBeCloseTo(120, 5);
    expect(heights[0]).toBeCloseTo((600 * 120) / 910, 5);
    expect(within(screen.getByRole("list")).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["AI 글쓰기", "이미지 생성 Max"]);
    expect(chart).toHaveAttribute("aria-describedby");
  });

  it("says when there is nothing to show or to project from", async () => {
    server.use(analytics(null), http.get(`${API}/v1/accounts/me/usage/daily`, () => HttpResponse.json({ days: [] })));
    renderWidget(<UsageChart />, { locale: "en" });
    expect(await screen.findByText("No coins used in this period")).toBeInTheDocument();
    expect(await screen.findByRole("note")).toHaveTextContent("No recent usage to project from");
  });
});
