import { NextResponse } from "next/server";
import { logIn, loginSchema } from "@/lib/auth/accounts";
import { config } from "@/lib/config";
import { parseJson } from "@/lib/http/parse";
import { apiRoute, SESSION_COOKIE, sessionCookieOptions } from "@/lib/http/route";

export const POST = apiRoute({ access: "public" }, async ({ req, meta }) => {
  const input = await parseJson(req, loginSchema);
  const result = await logIn(input, meta);
  const res = NextResponse.json(result, { status: 200 });
  if (config().authMode === "embedded") {
    res.cookies.set(SESSION_COOKIE, result.access_token, sessionCookieOptions(req, result.expires_in));
  }
  return res;
});
