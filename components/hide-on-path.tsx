"use client";

import { usePathname } from "next/navigation";

/** Renders its children everywhere but on one path (where the page says the same itself). */
export function HideOnPath({ path, children }: { path: string; children: React.ReactNode }) {
  return usePathname() === path ? null : children;
}
