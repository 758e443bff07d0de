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

export interface CorsPolicy {
  /** Methods the routes serve, announced in preflights. */
  readonly methods: readonly string[];
  /** Response headers a browser app may read (e.g. WWW-Authenticate on /v1). */
  readonly exposeHeaders?: readonly string[];
}

/**
 * CORS for browser-based public clients, never with credentials: on the token
 * and revocation endpoints (RFC 9700 §2.6; catalogue SEC-08, AMB-25) and on
 * /v1, which the doc's Step 4 has an SPA call from the browser. Never mounted
 * on /oauth/authorize. Preflights are answered here; other requests get the
 * allow-origin header and continue, so errors are readable too.
 */
export function corsForPublicClients(store: Store, policy: CorsPolicy = { methods: ["POST"] }): RequestHandler {
  return (req, res, next) => {
    res.vary("Origin");
    const origin = req.headers.origin;
    const allowed = typeof origin === "string" && allowedCorsOrigins(store).has(origin);
    if (allowed) {
      res.set("Access-Control-Allow-Origin", origin);
      if (policy.exposeHeaders?.length) res.set("Access-Control-Expose-Headers", policy.exposeHeaders.join(", "));
    }
    if (req.method !== "OPTIONS") {
      next();
      return;
    }
    res.set("Allow", [...policy.methods, "OPTIONS"].join(", "));
    if (allowed) {
      res.set({
        "Access-Control-Allow-Methods": policy.methods.join(", "),
        "Access-Control-Allow-Headers": "Authorization, Content-Type",
        "Access-Control-Max-Age": "600",
      });
    }
    res.status(204).end();
  };
}
