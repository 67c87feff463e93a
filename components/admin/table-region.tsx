import type { ReactNode } from "react";

/**
 * A wide table that scrolls sideways inside its own region on a phone, never the page.
 * The region takes keyboard focus so it can be scrolled without a mouse.
 */
export function TableRegion({ labelledBy, children }: { labelledBy: string; children: ReactNode }) {
  return (
    <section
      aria-labelledby={labelledBy}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard (WCAG 2.1.1, axe scrollable-region-focusable).
      tabIndex={0}
      // relative: screen-reader-only text in the cells is positioned against the region, so it
      // scrolls with the table instead of widening the page.
      className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white"
    >
      {children}
    </section>
  );
}

export const TH = "px-4 py-2 font-semibold";
export const TD = "px-4 py-2 align-top";
export const THEAD = "whitespace-nowrap bg-slate-100 text-slate-700";

export function StatusBadge({ label, className }: { label: string; className: string }) {
  return (
    <span
      className={`inline-flex shrink-0 items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ${className}`}
    >
      {label}
    </span>
  );
}

/** A message for a list with nothing in it, or a problem, in the page's own words. */
export function Notice({
  tone = "info",
  title,
  children,
}: {
  tone?: "info" | "warn" | "error";
  title?: string;
  children: ReactNode;
}) {
  const colours = {
    info: "border-slate-200 bg-white text-slate-700",
    warn: "border-amber-300 bg-amber-50 text-amber-900",
    error: "border-red-200 bg-red-50 text-red-800",
  }[tone];
  return (
    <div className={`rounded-lg border p-4 text-sm ${colours}`} role={tone === "error" ? "alert" : undefined}>
      {title && <p className="font-semibold">{title}</p>}
      <div className={title ? "mt-1" : undefined}>{children}</div>
    </div>
  );
}
