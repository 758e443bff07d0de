import type { RequestHandler } from "express";
import type { Store } from "../store.ts";
import { corsOriginOf } from "./redirect-uri.ts";

/** Origins of live public clients' registered redirect URIs (AMB-25). */
export function allowedCorsOrigins(store: Store): Set<string> {
  const origins = new Set<string>();
  for (const app of store.apps.values()) {
    if (app.deletedAt !== null || app.type !== "public") continue;
    for (const uri of app.redirectUris) {
      const origin = corsOriginOf(uri);
      if (origin !== null) origins.add(origin);
    }
  }
  return origins;
}

/**
 * CORS for the token and revocation endpoints only, never with credentials
 * (RFC 9700 §2.6; catalogue SEC-08). Preflights are answered here; other
 * requests get the allow-origin header and continue, so errors are readable too.
 */
export function corsForPublicClients(store: Store): RequestHandler {
  return (req, res, next) => {
    res.vary("Origin");
    const origin = req.headers.origin;
    const allowed = typeof origin === "string" && allowedCorsOrigins(store).has(origin);
    if (allowed) res.set("Access-Control-Allow-Origin", origin);
    if (req.method !== "OPTIONS") {
      next();
      return;
    }
    res.set("Allow", "POST, OPTIONS");
    if (allowed) {
      res.set({
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "Authorization, Content-Type",
        "Access-Control-Max-Age": "600",
      });
    }
    res.status(204).end();
  };
}
