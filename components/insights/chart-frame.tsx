import { useFormatter, useTranslations } from "next-intl";
import type { ReactNode } from "react";
import { shortDay } from "./format";

/**
 * A chart's frame, rendered on the server without any JavaScript: the y-axis labels and
 * the days under the plot in HTML (crisp at any width), the SVG plot stretched between
 * them, a legend, and the figures as a table for anyone who prefers them (and for
 * screen readers, with the plot's own summary as its accessible name).
 */
export function ChartFrame({
  id,
  summary,
  yLabels,
  days,
  legend,
  table,
  tableLabel,
  children,
}: {
  id: string;
  /** What the chart shows, in one or two sentences: the plot's accessible name. */
  summary: string;
  /** Top, middle and bottom of the y axis. */
  yLabels: [string, string, string];
  days: string[];
  legend: { label: string; swatch: ReactNode }[];
  table: ReactNode;
  /** Names the table's scrollable region. */
  tableLabel: string;
  children: ReactNode;
}) {
  const t = useTranslations("insights");
  const format = useFormatter();
  const ticks = (
    days.length > 2 ? [days[0], days[Math.floor((days.length - 1) / 2)], days[days.length - 1]] : days
  ).filter((d): d is string => Boolean(d));
  return (
    <figure className="min-w-0">
      <div className="flex gap-2">
        <div
          aria-hidden="true"
          className="flex h-40 shrink-0 flex-col justify-between text-right text-xs text-slate-600"
        >
          {yLabels.map((l, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: three fixed positions.
            <span key={i} className={i === 0 ? "-mt-1.5" : i === 2 ? "-mb-1.5" : ""}>
              {l}
            </span>
          ))}
        </div>
        <div className="min-w-0 flex-1">
          <svg
            role="img"
            aria-labelledby={`${id}-title`}
            viewBox={`0 0 ${days.length * 10} 100`}
            preserveAspectRatio="none"
            className="block h-40 w-full overflow-visible border-b border-l border-slate-400"
          >
            <title id={`${id}-title`}>{summary}</title>
            {[25, 50, 75].map((y) => (
              <line
                key={y}
                x1={0}
                x2={days.length * 10}
                y1={y}
                y2={y}
                stroke="#e2e8f0"
                strokeWidth={1}
                vectorEffect="non-scaling-stroke"
              />
            ))}
            {children}
          </svg>
          <div aria-hidden="true" className="mt-1 flex justify-between text-xs text-slate-600">
            {ticks.map((d) => (
              <span key={d}>{shortDay(format, d)}</span>
            ))}
          </div>
        </div>
      </div>
      <figcaption className="mt-3 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">
        {legend.map((l) => (
          <span key={l.label} className="inline-flex items-center gap-1.5">
            {l.swatch}
            {l.label}
          </span>
        ))}
      </figcaption>
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer font-medium text-brand-800 underline underline-offset-2">
          {t("showTable")}
        </summary>
        {/* Scrolls on small screens: focusable, so keyboards can scroll it too. */}
        <section
          aria-label={tableLabel}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
          tabIndex={0}
          className="mt-2 max-h-80 overflow-auto rounded-md border border-slate-200"
        >
          {table}
        </section>
      </details>
    </figure>
  );
}

/** A small coloured square for a legend (the legend's text says what it is). */
export const Swatch = ({ color }: { color: string }) => (
  <span aria-hidden="true" className="inline-block size-3 rounded-sm" style={{ backgroundColor: color }} />
);

export const TH = "sticky top-0 bg-slate-100 px-3 py-1.5 text-left text-xs font-semibold text-slate-700";
export const TD = "border-t border-slate-100 px-3 py-1 tabular-nums";
