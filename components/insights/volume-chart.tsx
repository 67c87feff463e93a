import { useFormatter, useTranslations } from "next-intl";
import type { DayVolume, VolumeTotals } from "@/lib/insights/daily-volume";
import { ChartFrame, Swatch, TD, TH } from "./chart-frame";
import { niceMax, shortDay } from "./format";

/** Bottom to top: what became of each day's messages (their names: "insights.series*"). */
const SERIES = [
  { key: "answered", label: "seriesAnswered", color: "#047857" },
  { key: "unanswered", label: "seriesUnanswered", color: "#d97706" },
  { key: "failed", label: "seriesFailed", color: "#b91c1c" },
  { key: "other", label: "seriesOther", color: "#94a3b8" },
] as const;

/** Customers' messages per day, stacked by outcome. */
export function VolumeChart({ days, totals }: { days: DayVolume[]; totals: VolumeTotals }) {
  const t = useTranslations("insights");
  const format = useFormatter();
  const n = (v: number) => format.number(v);
  const max = niceMax(Math.max(...days.map((d) => d.received)));
  const first = days[0]?.day;
  const last = days[days.length - 1]?.day;
  const summary = t("volumeSummary", {
    first: first ? shortDay(format, first) : "",
    last: last ? shortDay(format, last) : "",
    received: n(totals.received),
    answered: n(totals.answered),
    unanswered: n(totals.unanswered),
    failed: n(totals.failed),
    busiest: n(Math.max(...days.map((d) => d.received))),
  });
  const shown = SERIES.filter((s) => s.key !== "other" || totals.other > 0);
  return (
    <ChartFrame
      id="volume-chart"
      summary={summary}
      yLabels={[n(max), n(max / 2), "0"]}
      days={days.map((d) => d.day)}
      tableLabel={t("volumeTableLabel")}
      legend={shown.map((s) => ({ label: t(s.label), swatch: <Swatch color={s.color} /> }))}
      table={
        <table className="w-full text-sm">
          <caption className="sr-only">{t("volumeCaption")}</caption>
          <thead>
            <tr>
              <th scope="col" className={TH}>
                {t("day")}
              </th>
              <th scope="col" className={TH}>
                {t("receivedColumn")}
              </th>
              {shown.map((s) => (
                <th key={s.key} scope="col" className={TH}>
                  {t(s.label)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <th scope="row" className={`${TD} text-left font-normal`}>
                  {shortDay(format, d.day)}
                </th>
                <td className={TD}>{n(d.received)}</td>
                {shown.map((s) => (
                  <td key={s.key} className={TD}>
                    {n(d[s.key])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      {days.map((d, i) => {
        let base = 0;
        return (
          <g key={d.day}>
            <title>
              {t("volumeBar", {
                day: shortDay(format, d.day),
                received: n(d.received),
                answered: n(d.answered),
                unanswered: n(d.unanswered),
                failed: n(d.failed),
              })}
            </title>
            {SERIES.map((s) => {
              const value = d[s.key];
              if (value === 0) return null;
              const height = (value / max) * 100;
              base += height;
              return <rect key={s.key} x={i * 10 + 1.5} width={7} y={100 - base} height={height} fill={s.color} />;
            })}
          </g>
        );
      })}
    </ChartFrame>
  );
}
