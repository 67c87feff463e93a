import "server-only";
import { cache } from "react";
import type { Identity } from "@/lib/auth/identity";
import { pageOrigin } from "@/lib/http/page-origin";
import { getMyCustomer } from "./customer-profile";

/** The signed-in tenant's profile for server components, loaded once per request. */
export const currentProfile = cache(async (identity: Identity) => getMyCustomer(identity, await pageOrigin()));
