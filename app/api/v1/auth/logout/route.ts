import { NextResponse } from "next/server";
import { logOut } from "@/lib/auth/accounts";
import { apiRoute, SESSION_COOKIE, sessionCookieOptions } from "@/lib/http/route";

// Public so that logging out with an already-expired session still clears the cookie.
export const POST = apiRoute({ access: "public" }, async ({ req, identity }) => {
  await logOut(identity);
  const res = new NextResponse(null, { status: 204 });
  res.cookies.set(SESSION_COOKIE, "", sessionCookieOptions(req, 0));
  return res;
});
