import type { ProtocolClient } from "../http/client.ts";
import { CheckError } from "../harness/verdicts.ts";
import { callApi, fingerprint } from "./lifecycle.ts";

/**
 * Whether a token is live before a check acts on it. A check that revokes a token that was
 * already dead (rotation may end an older access token) and then sees it dead has observed
 * nothing; it could not judge, which is `error` (§0.1), never a pass.
 */

/** Whether the access token is accepted by /v1 right now (200 on the API probe). */
export async function accessTokenLive(client: ProtocolClient, accessToken: string, what: string): Promise<boolean> {
  const res = await callApi(client, accessToken, `api: is ${what} live`);
  return res.status === 200;
}

/** Throws CheckError unless the access token is live: the check it precedes would observe nothing. */
export async function ensureLiveBefore(client: ProtocolClient, accessToken: string, what: string, step: string): Promise<void> {
  if (!(await accessTokenLive(client, accessToken, what)))
    throw new CheckError(`${what} (${fingerprint(accessToken)}) was not accepted by the API before ${step}, so the check would act on a dead token`);
}
