import { useFormatter, useTranslations } from "next-intl";
import type { DayLatency } from "@/lib/insights/answer-latency";
import { ChartFrame, TD, TH } from "./chart-frame";
import { duration, niceMax, shortDay } from "./format";

/** Their legends are "insights.p50Legend" and "insights.p95Legend". */
const LINES = [
  { key: "p50_ms", legend: "p50Legend", color: "#047857", dash: undefined },
  { key: "p95_ms", legend: "p95Legend", color: "#475569", dash: "6 4" },
] as const;

/** Runs of consecutive days that have a value, so days without answers leave a gap. */
function segments(values: (number | null)[]): { i: number; v: number }[][] {
  const out: { i: number; v: number }[][] = [];
  let run: { i: number; v: number }[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (run.length > 0) out.push(run);
      run = [];
    } else run.push({ i, v });
  });
  if (run.length > 0) out.push(run);
  return out;
}

/** Median and 95th-percentile answer time per day: two lines told apart by colour and dash. */
export function LatencyChart({
  days,
  overall,
}: {
  days: DayLatency[];
  overall: { p50_ms: number | null; p95_ms: number | null };
}) {
  const t = useTranslations("insights");
  const format = useFormatter();
  const ms = (v: number | null) => (v === null ? "–" : duration(format, v));
  const max = niceMax(Math.max(...days.map((d) => d.p95_ms ?? d.p50_ms ?? 0)));
  const y = (v: number) => 100 - (v / max) * 100;
  const summary = t("latencySummary", { p50: ms(overall.p50_ms), p95: ms(overall.p95_ms) });
  return (
    <ChartFrame
      id="latency-chart"
      summary={summary}
      yLabels={[duration(format, max), duration(format, Math.round(max / 2)), "0"]}
      days={days.map((d) => d.day)}
      tableLabel={t("latencyTableLabel")}
      legend={LINES.map((l) => ({
        label: t(l.legend),
        swatch: (
          <svg aria-hidden="true" width="24" height="8" viewBox="0 0 24 8">
            <line x1="0" x2="24" y1="4" y2="4" stroke={l.color} strokeWidth="2.5" strokeDasharray={l.dash} />
          </svg>
        ),
      }))}
      table={
        <table className="w-full text-sm">
          <caption className="sr-only">{t("latencyCaption")}</caption>
          <thead>
            <tr>
              <th scope="col" className={TH}>
                {t("day")}
              </th>
              <th scope="col" className={TH}>
                {t("answersColumn")}
              </th>
              <th scope="col" className={TH}>
                {t("medianColumn")}
              </th>
              <th scope="col" className={TH}>
                {t("p95Column")}
              </th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <th scope="row" className={`${TD} text-left font-normal`}>
                  {shortDay(format, d.day)}
                </th>
                <td className={TD}>{format.number(d.answers)}</td>
                <td className={TD}>{ms(d.p50_ms)}</td>
                <td className={TD}>{ms(d.p95_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      {LINES.map((line) =>
        segments(days.map((d) => d[line.key])).map((run) => (
          <g key={`${line.key}-${run[0]?.i}`} stroke={line.color} fill="none">
            {run.length > 1 && (
              <polyline
                points={run.map((p) => `${p.i * 10 + 5},${y(p.v)}`).join(" ")}
                strokeWidth={2.5}
                strokeDasharray={line.dash}
                strokeLinejoin="round"
                vectorEffect="non-scaling-stroke"
              />
            )}
            {run.map((p) => (
              <path
                key={p.i}
                d={`M${p.i * 10 + 5} ${y(p.v)}h0`}
                strokeWidth={7}
                strokeLinecap="round"
                vectorEffect="non-scaling-stroke"
              />
            ))}
          </g>
        )),
      )}
    </ChartFrame>
  );
}
