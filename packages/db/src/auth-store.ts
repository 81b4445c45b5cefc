import { randomUUID } from "node:crypto";
import type { BetterAuthOptions } from "better-auth";
import {
  BinaryOperationNode,
  ColumnNode,
  ColumnUpdateNode,
  InsertQueryNode,
  type KyselyPlugin,
  type OperationNode,
  OperationNodeTransformer,
  PrimitiveValueListNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  ReferenceNode,
  type RootOperationNode,
  type UnknownRow,
  ValueListNode,
  ValueNode,
  ValuesNode,
} from "kysely";
import type { Db } from "./connection";
import { hashPassword, verifyPasswordHash } from "./passwords";

/**
 * How better-auth stores its models in our database (tables of migration 0004).
 *
 * better-auth's Kysely adapter hands dates to the driver as `Date` objects on PostgreSQL and as ISO
 * strings on SQLite, and booleans as `true`/`false` on PostgreSQL. Our tables keep every timestamp as
 * bigint milliseconds and every boolean as 0/1 on both dialects (what the rest of the schema and the
 * repositories expect), so the Kysely instance better-auth gets carries `AuthColumns`, which converts
 * the values bound to the auth tables' date and boolean columns on the way in, and those columns
 * back to `Date`/boolean on the way out. It is never installed on `db.kysely` itself.
 */

/** Date columns of the auth tables (users, sessions, accounts, verifications). */
export const AUTH_DATE_COLUMNS: ReadonlySet<string> = new Set([
  "created_at",
  "updated_at",
  "expires_at",
  "access_token_expires_at",
  "refresh_token_expires_at",
]);
/** Boolean columns of the auth tables. */
export const AUTH_BOOLEAN_COLUMNS: ReadonlySet<string> = new Set(["email_verified"]);
// The adapter's own joins alias a joined column as `_joined_<model>_<column>`.
const JOINED = /^_joined_[a-z]+_(.+)$/;

function columnOf(key: string): string {
  return JOINED.exec(key)?.[1] ?? key;
}

function toStored(column: string, value: unknown): unknown {
  if (AUTH_DATE_COLUMNS.has(column)) {
    if (value instanceof Date) return value.getTime();
    if (typeof value === "string") {
      const ms = Date.parse(value);
      return Number.isFinite(ms) ? ms : value;
    }
  }
  if (AUTH_BOOLEAN_COLUMNS.has(column) && typeof value === "boolean") return value ? 1 : 0;
  return value;
}

function fromStored(key: string, value: unknown): unknown {
  const column = columnOf(key);
  if (AUTH_DATE_COLUMNS.has(column) && typeof value === "number") return new Date(value);
  if (AUTH_BOOLEAN_COLUMNS.has(column) && typeof value === "number") return value === 1;
  return value;
}

function nameOf(node: OperationNode): string | null {
  if (ColumnNode.is(node)) return node.column.name;
  if (ReferenceNode.is(node) && ColumnNode.is(node.column)) return node.column.column.name;
  return null;
}

function storedValue(column: string, node: OperationNode): OperationNode {
  if (ValueNode.is(node)) return { ...node, value: toStored(column, node.value) } as ValueNode;
  if (PrimitiveValueListNode.is(node)) return PrimitiveValueListNode.create(node.values.map((v) => toStored(column, v)));
  return node;
}

class StoredValues extends OperationNodeTransformer {
  protected override transformInsertQuery(node: InsertQueryNode): InsertQueryNode {
    const next = super.transformInsertQuery(node);
    const columns = next.columns?.map((c) => c.column.name) ?? [];
    if (!next.values || !ValuesNode.is(next.values)) return next;
    const rows = next.values.values.map((row) =>
      PrimitiveValueListNode.is(row)
        ? PrimitiveValueListNode.create(row.values.map((v, i) => toStored(columns[i] ?? "", v)))
        : ValueListNode.create(row.values.map((v, i) => storedValue(columns[i] ?? "", v))),
    );
    return InsertQueryNode.cloneWith(next, { values: ValuesNode.create(rows) });
  }

  protected override transformColumnUpdate(node: ColumnUpdateNode): ColumnUpdateNode {
    const next = super.transformColumnUpdate(node);
    const column = nameOf(next.column);
    return column ? ColumnUpdateNode.create(next.column, storedValue(column, next.value)) : next;
  }

  protected override transformBinaryOperation(node: BinaryOperationNode): BinaryOperationNode {
    const next = super.transformBinaryOperation(node);
    const column = nameOf(next.leftOperand);
    return column ? BinaryOperationNode.create(next.leftOperand, next.operator, storedValue(column, next.rightOperand)) : next;
  }
}

/** Converts better-auth's Dates and booleans to our stored forms and back (see the file comment). */
export class AuthColumns implements KyselyPlugin {
  readonly #values = new StoredValues();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#values.transformNode(args.node);
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const rows = args.result.rows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([key, value]) => [key, fromStored(key, value)])),
    );
    return Promise.resolve({ ...args.result, rows });
  }
}

/**
 * The part of better-auth's options that is about storage: our Kysely instance (through `AuthColumns`),
 * the table and column of every model field, `role` as a user field sign-up can never set, and ids
 * that are UUIDs like every other id of ours (generated here: better-auth's "uuid" setting would leave
 * them to a PostgreSQL default we do not have).
 */
export function authStorage(db: Db) {
  return {
    database: {
      db: db.kysely.withPlugin(new AuthColumns()),
      type: db.dialect,
      // Sign-up writes the user and its account together. On SQLite a transaction would hold the
      // process's only connection while the password hashes, so there the two inserts run in sequence.
      transaction: db.dialect === "postgres",
    },
    user: {
      modelName: "users",
      fields: { emailVerified: "email_verified", createdAt: "created_at", updatedAt: "updated_at" },
      additionalFields: {
        role: { type: "string", required: false, defaultValue: "student", input: false },
      },
    },
    session: {
      modelName: "sessions",
      fields: {
        userId: "user_id",
        expiresAt: "expires_at",
        createdAt: "created_at",
        updatedAt: "updated_at",
        ipAddress: "ip_address",
        userAgent: "user_agent",
      },
    },
    account: {
      modelName: "accounts",
      fields: {
        accountId: "account_id",
        providerId: "provider_id",
        userId: "user_id",
        accessToken: "access_token",
        refreshToken: "refresh_token",
        idToken: "id_token",
        accessTokenExpiresAt: "access_token_expires_at",
        refreshTokenExpiresAt: "refresh_token_expires_at",
        createdAt: "created_at",
        updatedAt: "updated_at",
      },
    },
    verification: {
      modelName: "verifications",
      fields: { expiresAt: "expires_at", createdAt: "created_at", updatedAt: "updated_at" },
    },
    advanced: { database: { generateId: (): string => randomUUID() } },
  } satisfies Pick<BetterAuthOptions, "database" | "user" | "session" | "account" | "verification" | "advanced">;
}

/** For better-auth's `emailAndPassword.password`: its own hash, and a verifier that also reads pre-0004 hashes. */
export const authPasswords = { hash: hashPassword, verify: verifyPasswordHash };
