import { NextResponse } from "next/server";
import { logOut } from "@/lib/auth/accounts";
import { otherMethods } from "@/lib/http/method-not-allowed";
import { apiRoute, SESSION_COOKIE, sessionCookieOptions } from "@/lib/http/route";

// Public so that logging out with an already-expired session still clears the cookie.
export const POST = apiRoute({ access: "public", ownPagesOnly: true }, async ({ req, identity }) => {
  await logOut(identity);
  const res = new NextResponse(null, { status: 204 });
  res.cookies.set(SESSION_COOKIE, "", sessionCookieOptions(req, 0));
  return res;
});

// Other methods: 405 with the envelope and Allow (lib/http/method-not-allowed.ts).
export const { GET, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["POST"]);
