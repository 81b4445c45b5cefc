import type { NextConfig } from "next";
import { SECURITY_HEADERS } from "./src/server/security";

const nextConfig: NextConfig = {
  // Workspace packages export TypeScript source; Next compiles them like app code.
  transpilePackages: ["@stepwise/core", "@stepwise/db", "@stepwise/exercises"],
  // Native or Node-only modules stay as runtime `require`s instead of being bundled.
  serverExternalPackages: ["better-sqlite3", "pg", "kysely", "@tensorflow/tfjs-node"],
  poweredByHeader: false,
  // `forbidden()` and app/forbidden.tsx: a styled 403 (a student opening the teaching pages).
  experimental: { authInterrupts: true },
  reactStrictMode: true,
  // Every response, including API and static files; the page CSP (with its nonce) comes from src/proxy.ts.
  headers: () => Promise.resolve([{ source: "/:path*", headers: [...SECURITY_HEADERS] }]),
};

export default nextConfig;
