import type { Params } from "../../http/params.ts";
import type { App, Store } from "../../store.ts";

/** RFC 6749 §5.1 success body, Pact profile: `scope` always, `expires_in` an integer (TOKEN-01, TOKEN-04). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: "Bearer";
  readonly expires_in: number;
  readonly refresh_token?: string;
  readonly scope: string;
}

export interface GrantRequest {
  readonly store: Store;
  readonly form: Params;
  /** The authenticated (confidential) or identified (public) client. */
  readonly client: App;
}

/** One grant type of the token endpoint; throws TokenEndpointError on failure. */
export type GrantHandler = (request: GrantRequest) => TokenResponse;
