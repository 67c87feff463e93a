import { NextResponse } from "next/server";
import { signUp, signupSchema } from "@/lib/auth/accounts";
import { config } from "@/lib/config";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { parseJson } from "@/lib/http/parse";
import { apiRoute, SESSION_COOKIE, sessionCookieOptions } from "@/lib/http/route";

export const POST = apiRoute({ access: "public", ownPagesOnly: true }, async ({ req, meta }) => {
  const input = await parseJson(req, signupSchema);
  const result = await signUp(input, meta);
  const res = NextResponse.json(result, { status: 201 });
  if (config().authMode === "embedded") {
    res.cookies.set(SESSION_COOKIE, result.access_token, sessionCookieOptions(req, result.expires_in));
  }
  return res;
});

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
