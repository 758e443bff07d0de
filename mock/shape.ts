import { z } from "zod";
import { THROTTLE_LIMIT } from "./oauth/throttle.ts";

/**
 * The shape of the mock: how it lays out its pages, when it asks for consent
 * and what /v1 looks like. Every shape is conformant; the default is the mock
 * as it always was. Other shapes stand in for real authorization servers
 * built differently, so the conformance kit can be run against them.
 */
export const ShapeSchema = z
  .strictObject({
    /** inline: GET /oauth/authorize answers the login or consent page itself; routed: it hops to an interaction page. */
    interaction: z.enum(["inline", "routed"]).default("inline"),
    /** Routed only. interaction: /interaction/{id}; signin-consent: /signin?interaction={id} and /consent?request={id}. */
    interactionPaths: z.enum(["interaction", "signin-consent"]).default("interaction"),
    /** Routed only: the status of every same-origin hop (to the interaction, the resume URL and back). */
    interactionStatus: z.union([z.literal(302), z.literal(303)]).default(303),
    /**
     * confidential-covering: a confidential client skips consent while a live grant covers the scopes (CONSENT-08);
     * always: every authorization asks; exact-scope-set: a confidential client skips only for exactly the same scope set.
     */
    consent: z.enum(["confidential-covering", "always", "exact-scope-set"]).default("confidential-covering"),
    /** false: no GET /login; signing in happens only inside an interaction (routed only). */
    standaloneLogin: z.boolean().default(true),
    /** Status of the login page shown again after a wrong email or password. */
    loginFailureStatus: z.union([z.literal(200), z.literal(401), z.literal(422)]).default(200),
    api: z
      .strictObject({
        /** full: the whole /v1; small: GET/POST /v1/contacts, GET /v1/contacts/{id}, GET /v1/deals only. */
        surface: z.enum(["full", "small"]).default("full"),
        /** true: single objects are returned as {"data": {...}}; lists keep their shape. */
        envelope: z.boolean().default(false),
      })
      .default({ surface: "full", envelope: false }),
    /** Failed client authentications per window before 429 (catalogue THROTTLE_N). */
    throttleN: z.number().int().min(1).max(100_000).default(THROTTLE_LIMIT),
  })
  .refine((s) => s.standaloneLogin || s.interaction === "routed", { message: "standaloneLogin: false needs interaction: routed (inline pages post to /login)", path: ["standaloneLogin"] });

export type Shape = z.output<typeof ShapeSchema>;
export type ShapeInput = z.input<typeof ShapeSchema>;

/** Named shapes for `--shape NAME` and the variants run. */
export const SHAPE_PRESETS = {
  /** The mock as it always was. */
  default: {},
  /** Like a node-oidc-provider deployment: /interaction/{id} pages reached by 303, consent every time, no standalone login. */
  routed: {
    interaction: "routed",
    interactionPaths: "interaction",
    interactionStatus: 303,
    consent: "always",
    standaloneLogin: false,
    loginFailureStatus: 401,
    api: { surface: "small", envelope: true },
    throttleN: 10,
  },
  /** /signin and /consent pages reached by 302, consent remembered per exact scope set, a standalone login. */
  remembering: {
    interaction: "routed",
    interactionPaths: "signin-consent",
    interactionStatus: 302,
    consent: "exact-scope-set",
    standaloneLogin: true,
    loginFailureStatus: 422,
    api: { surface: "full", envelope: false },
    throttleN: 50,
  },
} as const satisfies Record<string, ShapeInput>;

export type ShapePresetName = keyof typeof SHAPE_PRESETS;
export const SHAPE_PRESET_NAMES = Object.keys(SHAPE_PRESETS) as ShapePresetName[];

export class UnknownShapeError extends Error {
  constructor(readonly shapeName: string) {
    super(`unknown shape "${shapeName}"; valid names: ${SHAPE_PRESET_NAMES.join(", ")}`);
  }
}

/** A preset by name, or options; throws UnknownShapeError or a ZodError. */
export function resolveShape(input: ShapeInput | string | undefined): Shape {
  if (typeof input === "string") {
    if (!Object.hasOwn(SHAPE_PRESETS, input)) throw new UnknownShapeError(input);
    return ShapeSchema.parse(SHAPE_PRESETS[input as ShapePresetName]);
  }
  return ShapeSchema.parse(input ?? {});
}

export const DEFAULT_SHAPE: Shape = resolveShape(undefined);
