/**
 * Headless approval, for an app's own automated tests: while it is on, a valid
 * GET /oauth/authorize answers at once as if the chosen fixture user had signed
 * in and approved (or denied) on the consent page. Only the login and consent
 * pages are skipped; every check of the request stays on (client, redirect URI,
 * then the error redirects of authorize-request.ts). Off by default; kept across
 * reset, like the active faults.
 */
import type { Response } from "express";
import type { MockContext } from "../context.ts";
import { ErrorRedirect } from "../errors.ts";
import type { Params } from "../http/params.ts";
import type { Store, User } from "../store.ts";
import { type AuthorizeTarget, validateAuthorizeRequest } from "./authorize-request.ts";
import { redirectWithCode } from "./authorize.ts";

export type AutoApproveDecision = "approve" | "deny";

/** What `createPactMock({ autoApprove })`, `--auto-approve` and `POST /__mock/auto-approve` accept. */
export interface AutoApproveSetting {
  /** A fixture user's email; null turns headless approval off. */
  readonly user: string | null;
  /** Default "approve"; "deny" answers access_denied instead, to test an app's deny path. */
  readonly decision?: AutoApproveDecision;
}

/** The current setting (`GET /__mock/auto-approve`). */
export interface AutoApproveState {
  readonly user: string | null;
  readonly decision: AutoApproveDecision;
}

export class UnknownAutoApproveUserError extends Error {
  constructor(
    readonly email: string,
    readonly known: readonly string[],
  ) {
    super(`unknown user "${email}" for auto-approve; fixture users: ${known.join(", ")}`);
  }
}

/** Normalizes the option forms: an email, a setting, or null/undefined for off. */
export function toAutoApproveSetting(input: string | AutoApproveSetting | null | undefined): AutoApproveSetting {
  if (input === undefined || input === null) return { user: null };
  return typeof input === "string" ? { user: input } : input;
}

export class AutoApproval {
  private state: AutoApproveState = { user: null, decision: "approve" };

  constructor(private readonly store: Store) {}

  get(): AutoApproveState {
    return this.state;
  }

  /** Changes the setting; an email that names no fixture user throws UnknownAutoApproveUserError and changes nothing. */
  set(input: string | AutoApproveSetting | null): AutoApproveState {
    const setting = toAutoApproveSetting(input);
    if (setting.user !== null && !this.store.userByEmail(setting.user))
      throw new UnknownAutoApproveUserError(setting.user, [...this.store.users.values()].map((u) => u.email));
    this.state = { user: setting.user, decision: setting.decision ?? "approve" };
    return this.state;
  }

  /** The user to act as and the decision, or null when off (or the user is no longer active). */
  active(): { user: User; decision: AutoApproveDecision } | null {
    if (this.state.user === null) return null;
    const user = this.store.userByEmail(this.state.user);
    return user && user.active ? { user, decision: this.state.decision } : null;
  }
}

const perStore = new WeakMap<Store, AutoApproval>();

/** The headless-approval setting of one mock. */
export function autoApprovalOf(store: Store): AutoApproval {
  let found = perStore.get(store);
  if (!found) {
    found = new AutoApproval(store);
    perStore.set(store, found);
  }
  return found;
}

/**
 * Answers GET /oauth/authorize without a page when headless approval is on:
 * validates the rest of the request exactly as after a sign-in (error redirects
 * keep their state, AUTHZ-08), then redirects with a code and the exact state,
 * or with access_denied. Returns false when headless approval is off.
 */
export function answerAutomatically(ctx: MockContext, res: Response, params: Params, target: AuthorizeTarget): boolean {
  const auto = autoApprovalOf(ctx.store).active();
  if (!auto) return false;
  const request = validateAuthorizeRequest(params, target, ctx.faults);
  if (auto.decision === "deny") throw new ErrorRedirect(request.redirectUri, "access_denied", "The user denied the request.", request.state, 302);
  redirectWithCode(ctx.store, res, request, auto.user, 302);
  return true;
}
