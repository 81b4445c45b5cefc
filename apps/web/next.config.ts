import type { NextConfig } from "next";
import { SECURITY_HEADERS } from "./src/server/security";

const nextConfig: NextConfig = {
  // Workspace packages export TypeScript source; Next compiles them like app code.
  transpilePackages: ["@stepwise/core", "@stepwise/db", "@stepwise/exercises", "@stepwise/lti"],
  // Native or Node-only modules stay as runtime `require`s instead of being bundled.
  serverExternalPackages: ["better-sqlite3", "pg", "kysely", "@tensorflow/tfjs-node"],
  poweredByHeader: false,
  // `forbidden()` and app/forbidden.tsx: a styled 403 (a student opening the teaching pages).
  experimental: { authInterrupts: true },
  reactStrictMode: true,
  // Every response, including API and static files; the page CSP (with its nonce) comes from src/proxy.ts.
  // LTI's launch pages are shown inside the LMS's iframe: they set their own CSP frame-ancestors, so
  // X-Frame-Options (which cannot name the LMS) is left off them alone.
  headers: () =>
    Promise.resolve([
      { source: "/:path*", headers: SECURITY_HEADERS.filter((h) => h.key !== "X-Frame-Options") },
      { source: "/:path((?!api/lti/).*)", headers: SECURITY_HEADERS.filter((h) => h.key === "X-Frame-Options") },
    ]),
};

export default nextConfig;
