import { randomUUID } from "node:crypto";
import { expect, inject } from "vitest";

/** A small HTTP client for the running app server of this project. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function api<T = any>(
  path: string,
  init: {
    method?: string;
    body?: unknown;
    rawBody?: string;
    token?: string;
    headers?: Record<string, string>;
    baseUrl?: string;
  } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined || init.rawBody !== undefined) headers["content-type"] ??= "application/json";
  const res = await fetch(`${init.baseUrl ?? inject("baseUrl")}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
    redirect: "manual",
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON (an HTML page)
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

/** Each simulated visitor comes from its own address, as behind a real proxy. */
export const visitorIp = () => `10.${rand()}.${rand()}.${rand()}`;
const rand = () => Math.floor(Math.random() * 250) + 1;

export async function signUp(
  overrides: Partial<{ email: string; company_name: string; password: string }> = {},
  baseUrl?: string,
) {
  const input = {
    email: `owner-${randomUUID().slice(0, 8)}@example.test`,
    password: "a long enough password",
    company_name: `Company ${randomUUID().slice(0, 6)}`,
    ...overrides,
  };
  const res = await api("/api/v1/auth/signup", {
    method: "POST",
    body: input,
    headers: { "x-forwarded-for": visitorIp() },
    baseUrl,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...input, token: res.body.access_token as string, user: res.body.user, customer: res.body.customer, res };
}

/** Asserts the error envelope of API.md. */
export function expectError(res: ApiResponse, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({ error: { code, message: expect.any(String), request_id: expect.any(String) } });
  expect(res.headers.get("x-request-id")).toBe(res.body.error.request_id);
  expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|node_modules|\.ts:\d+/);
}
