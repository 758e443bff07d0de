import { z } from "zod";

/** RFC 6749 §5.2: error and error_description use %x20-21 / %x23-5B / %x5D-7E (no `"` and no `\`). */
export const ERROR_TEXT_PATTERN = "^[\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]*$";
/** RFC 6749 §5.2: error_uri is a URI-reference of %x21 / %x23-5B / %x5D-7E. */
export const ERROR_URI_PATTERN = "^[\\x21\\x23-\\x5B\\x5D-\\x7E]*$";

/** RFC 6749 §5.2 error codes of the token endpoint. */
export const TOKEN_ERROR_CODES = ["invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope"] as const;
export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

/** RFC 6749 §5.1: a successful access token response. Extra members are allowed. */
export const TokenSuccessSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().min(1),
  expires_in: z.number().optional(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});

/** RFC 6749 §5.2: an error response. */
export const TokenErrorSchema = z.looseObject({
  error: z.enum(TOKEN_ERROR_CODES),
  error_description: z.string().regex(new RegExp(ERROR_TEXT_PATTERN)).optional(),
  error_uri: z.string().regex(new RegExp(ERROR_URI_PATTERN)).optional(),
});

/** RFC 7009 §2.2.1: revocation errors are RFC 6749 §5.2 errors plus unsupported_token_type. */
export const RevocationErrorSchema = z.looseObject({
  error: z.enum([...TOKEN_ERROR_CODES, "unsupported_token_type"]),
  error_description: z.string().regex(new RegExp(ERROR_TEXT_PATTERN)).optional(),
  error_uri: z.string().regex(new RegExp(ERROR_URI_PATTERN)).optional(),
});

/** RFC 7009 §2.2: the success body carries no information; the kit accepts empty or any JSON object. */
export const RevocationSuccessSchema = z.union([z.looseObject({}), z.null()]);

const url = z.url();

/** RFC 8414 §2: authorization server metadata (the members the kit reads). */
export const MetadataSchema = z.looseObject({
  issuer: url,
  authorization_endpoint: url,
  token_endpoint: url,
  revocation_endpoint: url.optional(),
  jwks_uri: url.optional(),
  registration_endpoint: url.optional(),
  scopes_supported: z.array(z.string()).optional(),
  response_types_supported: z.array(z.string()).min(1),
  response_modes_supported: z.array(z.string()).optional(),
  grant_types_supported: z.array(z.string()).optional(),
  token_endpoint_auth_methods_supported: z.array(z.string()).optional(),
  revocation_endpoint_auth_methods_supported: z.array(z.string()).optional(),
  code_challenge_methods_supported: z.array(z.string()).optional(),
  authorization_response_iss_parameter_supported: z.boolean().optional(),
});

/** Error bodies of the /v1 API (RFC 6750 §3 puts the error in WWW-Authenticate; the body mirrors it). */
export const ApiErrorSchema = z.looseObject({
  error: z.string().min(1),
  error_description: z.string().optional(),
});

export const ContactSchema = z.looseObject({ id: z.string().min(1) });

/** GET /v1/contacts: a JSON array of contacts, or an object holding one under `data`. */
export const ContactListSchema = z.union([z.array(ContactSchema), z.looseObject({ data: z.array(ContactSchema) })]);

export const ZOD_SCHEMAS = {
  tokenSuccess: TokenSuccessSchema,
  tokenError: TokenErrorSchema,
  revocationError: RevocationErrorSchema,
  revocationSuccess: RevocationSuccessSchema,
  metadata: MetadataSchema,
  apiError: ApiErrorSchema,
  contactList: ContactListSchema,
} as const;

export type SchemaKind = keyof typeof ZOD_SCHEMAS;
export type TokenSuccess = z.infer<typeof TokenSuccessSchema>;
export type TokenError = z.infer<typeof TokenErrorSchema>;
export type Metadata = z.infer<typeof MetadataSchema>;
