import express from "express";

/** A stand-in with the shape of mock/app.ts's createPactMock, for the kit's own tests. */
export function createPactMock(): { app: express.Express; control: { reset(): void }; resets: () => number; setBaseUrl(url: string): void; close(): void } {
  let resets = 0;
  let base = "";
  const app = express();
  app.get("/.well-known/oauth-authorization-server", (_req, res) => {
    res.json({ issuer: base, authorization_endpoint: `${base}/oauth/authorize`, token_endpoint: `${base}/oauth/token`, response_types_supported: ["code"] });
  });
  app.get("/__mock/clock", (_req, res) => {
    res.json({ now: "2026-01-01T00:00:00.000Z" });
  });
  return {
    app,
    control: { reset: () => void resets++ },
    resets: () => resets,
    setBaseUrl: (u) => void (base = u),
    close: () => undefined,
  };
}
