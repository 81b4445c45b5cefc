import { randomUUID } from "node:crypto";
import { NotFoundError, PreconditionError, ValidationError } from "@stepwise/core/contracts";
import type { Selectable } from "kysely";
import { z } from "zod";
import type { Db } from "../connection";
import type { LtiPlatformsTable } from "./schema";

/** A registered LMS platform (what its administrator gave us). */
export interface LtiPlatform {
  id: string;
  issuer: string;
  clientId: string;
  deploymentIds: string[];
  authUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  /** Its `email` claims may link an LMS user to an existing account with that address (operators only). */
  trustEmail: boolean;
  registeredBy: string | null;
}

const HttpUrl = (what: string) =>
  z
    .string()
    .url(`${what} must be a URL`)
    .refine((u) => /^https?:\/\//.test(u), `${what} must start with https:// (or http:// for a local test LMS)`);

/** The registration form, the CLI's flags and the tRPC input. */
export const PlatformInput = z.object({
  issuer: z.string().min(1, "issuer is required").describe("iss of the platform's id_tokens"),
  clientId: z.string().min(1, "client id is required").describe("The client id the LMS assigned to Stepwise"),
  deploymentIds: z.array(z.string().min(1)).min(1, "at least one deployment id is required"),
  authUrl: HttpUrl("OIDC auth URL"),
  tokenUrl: HttpUrl("token URL"),
  jwksUrl: HttpUrl("JWKS URL"),
  trustEmail: z.boolean().default(false),
});
export type PlatformInput = z.input<typeof PlatformInput>;

const Deployments = z.array(z.string());

type PlatformRow = Omit<Selectable<LtiPlatformsTable>, "created_at">;

function toPlatform(row: PlatformRow): LtiPlatform {
  return {
    id: row.id,
    issuer: row.issuer,
    clientId: row.client_id,
    deploymentIds: Deployments.parse(JSON.parse(row.deployment_ids)),
    authUrl: row.auth_url,
    tokenUrl: row.token_url,
    jwksUrl: row.jwks_url,
    trustEmail: row.trust_email === 1,
    registeredBy: row.registered_by,
  };
}

/**
 * Registers a platform, or updates the one with the same issuer and client id (its URLs and
 * deployments change when an LMS is moved). Only the operator (registeredBy null) may set trustEmail,
 * and an instructor may not change a platform someone else registered.
 */
export async function registerPlatform(
  db: Db,
  raw: PlatformInput,
  input: { registeredBy: string | null; now: number },
): Promise<LtiPlatform> {
  const parsed = PlatformInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`Platform registration: ${issue?.message ?? "invalid"}`, issue?.path.join(".") ?? "platform");
  }
  const p = parsed.data;
  if (p.trustEmail && input.registeredBy !== null)
    throw new ValidationError("Only an operator (CLI) may trust a platform's e-mail addresses.", "trustEmail");
  const existing = await db.kysely
    .selectFrom("lti_platforms")
    .selectAll()
    .where("issuer", "=", p.issuer)
    .where("client_id", "=", p.clientId)
    .executeTakeFirst();
  const values = {
    deployment_ids: JSON.stringify([...new Set(p.deploymentIds)]),
    auth_url: p.authUrl,
    token_url: p.tokenUrl,
    jwks_url: p.jwksUrl,
    trust_email: p.trustEmail ? 1 : 0,
  };
  if (existing) {
    if (input.registeredBy !== null && existing.registered_by !== input.registeredBy)
      throw new PreconditionError(
        `Platform ${p.issuer} (client ${p.clientId}) was registered by someone else; ask them or an operator to change it.`,
      );
    await db.kysely.updateTable("lti_platforms").set(values).where("id", "=", existing.id).execute();
    return toPlatform({ ...existing, ...values });
  }
  const row = {
    id: randomUUID(),
    issuer: p.issuer,
    client_id: p.clientId,
    registered_by: input.registeredBy,
    created_at: input.now,
    ...values,
  };
  await db.kysely.insertInto("lti_platforms").values(row).execute();
  return toPlatform(row);
}

/** The platform an `iss` (and, when the platform sent one, `client_id`) names; several registrations of one issuer need the client id. */
export async function platformFor(db: Db, issuer: string, clientId?: string): Promise<LtiPlatform | null> {
  let query = db.kysely.selectFrom("lti_platforms").selectAll().where("issuer", "=", issuer);
  if (clientId !== undefined) query = query.where("client_id", "=", clientId);
  const rows = await query.limit(2).execute();
  const [row] = rows;
  return rows.length === 1 && row ? toPlatform(row) : null;
}

export async function platformById(db: Db, id: string): Promise<LtiPlatform> {
  const row = await db.kysely.selectFrom("lti_platforms").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new NotFoundError(`No LTI platform with id "${id}".`);
  return toPlatform(row);
}

export async function listPlatforms(db: Db, registeredBy?: string): Promise<LtiPlatform[]> {
  let query = db.kysely.selectFrom("lti_platforms").selectAll().orderBy("created_at");
  if (registeredBy !== undefined) query = query.where("registered_by", "=", registeredBy);
  return (await query.execute()).map(toPlatform);
}
