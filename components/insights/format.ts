import type { useFormatter } from "next-intl";

/** next-intl's formatter (useFormatter() or getFormatter()): numbers and dates in the reader's locale. */
export type Formatter = ReturnType<typeof useFormatter>;

/** "2026-11-28" → "28 Nov" / "28 nov." (days are UTC days). */
export const shortDay = (format: Formatter, day: string) =>
  format.dateTime(new Date(`${day}T00:00:00Z`), { day: "numeric", month: "short", timeZone: "UTC" });

/** 850 → "850 ms", 1234 → "1.2 s" ("1,2 s" in French). */
export const duration = (format: Formatter, ms: number) =>
  ms < 1000
    ? `${format.number(ms)} ms`
    : `${format.number(ms / 1000, { maximumFractionDigits: ms < 10_000 ? 1 : 0, minimumFractionDigits: ms < 10_000 ? 1 : 0 })} s`;

/** 1 of 4 → "25%" ("25 %" in French); "–" when there is nothing to divide. */
export const percent = (format: Formatter, part: number, whole: number) =>
  whole === 0 ? "–" : format.number(Math.round((part / whole) * 100) / 100, { style: "percent" });

/**
 * A moment as the dashboard shows it: "Nov 28, 2026, 14:05 UTC" ("28 nov. 2026, 14:05 UTC").
 * Rendered on the server, which does not know the reader's time zone: said to be UTC.
 */
export const utcTime = (format: Formatter, iso: string) =>
  `${format.dateTime(new Date(iso), {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: "UTC",
  })} UTC`;

/** A round upper bound for an axis, with a whole middle: 2, then 1, 2, 4, 6, 8 × 10^n. */
export function niceMax(value: number): number {
  if (value <= 2) return 2;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 4, 6, 8, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}
