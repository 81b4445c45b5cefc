import { ValidationError } from "../contracts/errors";
import { isObject, type Json, type JsonObject } from "./json";

/** Typed, path-aware access to one untrusted config object. Every miss is a ValidationError. */
export class Reader {
  constructor(
    readonly obj: JsonObject,
    readonly path: string,
    /** Used in messages: "Dense `units`". */
    readonly label: string,
  ) {}

  static of(value: Json | undefined, path: string, label: string): Reader {
    if (!isObject(value)) throw new ValidationError(`${label} must be an object, got ${describe(value)}`, path);
    return new Reader(value, path, label);
  }

  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  has(key: string): boolean {
    const v = this.obj[key];
    return v !== undefined && v !== null;
  }

  raw(key: string): Json | undefined {
    return this.obj[key];
  }

  fail(key: string, expected: string, got: Json | undefined): never {
    throw new ValidationError(`${this.label} \`${key}\` must be ${expected}, got ${describe(got)}`, this.at(key));
  }

  int(key: string, min: number, max: number, fallback?: number): number {
    const v = this.obj[key];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    if (typeof v !== "number" || !Number.isInteger(v)) this.fail(key, `an integer in [${min}, ${max}]`, v);
    this.bound(key, v, min, max);
    return v;
  }

  num(key: string, min: number, max: number, fallback?: number, { maxExclusive = false } = {}): number {
    const v = this.obj[key];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    if (typeof v !== "number" || !Number.isFinite(v)) this.fail(key, `a number in [${min}, ${max}${maxExclusive ? ")" : "]"}`, v);
    if (maxExclusive && v >= max) this.fail(key, `< ${max}`, v);
    this.bound(key, v, min, max);
    return v;
  }

  /** A number out of range says which bound it crossed: "must be ≤ 4096, got 1000000". */
  private bound(key: string, v: number, min: number, max: number): void {
    if (v > max) this.fail(key, `≤ ${max}`, v);
    if (v < min) this.fail(key, `≥ ${min}`, v);
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "boolean") this.fail(key, "true or false", v);
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
      this.fail(key, `one of ${allowed.map((a) => `"${a}"`).join(", ")}`, v);
    }
    return v as T;
  }

  /** An int or a list of `n` ints (Keras writes `kernel_size: 3` or `[3, 3]`), each in range. */
  tuple(key: string, n: number, min: number, max: number, fallback?: number[]): number[] {
    const v = this.obj[key];
    if ((v === undefined || v === null) && fallback) return fallback;
    const list = typeof v === "number" ? new Array<number>(n).fill(v) : v;
    if (
      !Array.isArray(list) ||
      list.length !== n ||
      !list.every((x) => typeof x === "number" && Number.isInteger(x) && x >= min && x <= max)
    ) {
      this.fail(key, `an integer or a list of ${n} integers in [${min}, ${max}]`, v);
    }
    return list as number[];
  }

  /** Rejects a value other than the one we support, naming it. */
  only(key: string, allowed: readonly Json[], why: string): void {
    const v = this.obj[key];
    if (v === undefined || v === null) return;
    if (!allowed.some((a) => a === v)) {
      throw new ValidationError(`${this.label} \`${key}\` ${why}, got ${describe(v)}`, this.at(key));
    }
  }
}

export function describe(value: Json | undefined): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
