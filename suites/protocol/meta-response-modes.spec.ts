import { test, reqs, needs, tags } from "../harness/index.ts";
import { ensure } from "../checks/http.ts";

// RFC 8414 §3: the metadata URL is the issuer with /.well-known/oauth-authorization-server inserted.
const WELL_KNOWN = "/.well-known/oauth-authorization-server";

test.describe("META-01 RFC 8414 metadata is accurate about response modes", () => {
  test("response_modes_supported, when published, lists query", { tag: tags("META-01"), annotation: [...reqs("META-01"), ...needs("http")] }, async ({ client, verdicts }) => {
    const res = await client.get(WELL_KNOWN, { label: "metadata: fetch" });
    const body = res.status === 200 ? res.jsonOrUndefined() : undefined;
    if (typeof body !== "object" || body === null) return verdicts.error("META-01", `could not judge: no metadata document to read (${res.status}); meta.spec.ts reports that`, "response_modes_supported lists query");
    const modes = (body as Record<string, unknown>)["response_modes_supported"];
    // RFC 8414 §2: the list of response_mode values this server supports (default ["query", "fragment"] when
    // omitted). Pact answers authorization requests in the query (RFC 6749 §4.1.2; catalogue §0.4 "Error
    // redirect"), so a published list without "query" misstates what the server does.
    await verdicts.check("META-01", "response_modes_supported is absent or an array of response modes that includes \"query\" (RFC 8414 §2; RFC 6749 §4.1.2)", () => {
      if (modes === undefined) return;
      ensure(Array.isArray(modes), `response_modes_supported is ${JSON.stringify(modes)}, not an array`);
      ensure(modes.includes("query"), `response_modes_supported is ${JSON.stringify(modes)}: it omits query, the mode of Pact's authorization responses`);
    });
  });
});
