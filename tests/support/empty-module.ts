// Stands in for "server-only" under Vitest, which runs server code outside Next.js.
export {};
