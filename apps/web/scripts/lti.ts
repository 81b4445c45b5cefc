// The operator's LTI commands: `pnpm --filter @stepwise/web lti <command>` (or `pnpm lti <command>` from the root).
//   register --issuer <iss> --client-id <id> --deployment <id> [--deployment <id>…] --auth-url <url> --token-url <url> --jwks-url <url> [--trust-email]
//   urls <https://stepwise.example.edu>   the URLs to paste into the LMS
//   platforms                             registered LMSs
//   passback                              send queued grades now, once
//   sync [--course <id>]                  pull LMS rosters now (all connected courses, or one)
//   worker [--every-ms 5000]              send grades as they are queued and sync each roster daily, until stopped
import { parseArgs } from "node:util";
import { migrate, openDb } from "@stepwise/db";
import { listPlatforms, registerPlatform } from "@stepwise/db/lti";
import { env } from "../src/env";
import { liveServiceDeps, toolUrls } from "../src/server/lti/deps";
import { runPassbacks } from "../src/server/lti/passback";
import { syncRosters } from "../src/server/lti/roster";

const [command, ...rest] = process.argv.slice(2);
const { values, positionals } = parseArgs({
  args: rest,
  allowPositionals: true,
  options: {
    issuer: { type: "string" },
    "client-id": { type: "string" },
    deployment: { type: "string", multiple: true },
    "auth-url": { type: "string" },
    "token-url": { type: "string" },
    "jwks-url": { type: "string" },
    "trust-email": { type: "boolean", default: false },
    course: { type: "string" },
    "every-ms": { type: "string", default: "5000" },
  },
});

const db = await openDb(env().DATABASE_URL);
const workerId = `lti-${process.pid}`;
try {
  await migrate(db);
  const deps = liveServiceDeps(db);
  switch (command) {
    case "register": {
      const platform = await registerPlatform(
        db,
        {
          issuer: values.issuer ?? "",
          clientId: values["client-id"] ?? "",
          deploymentIds: values.deployment ?? [],
          authUrl: values["auth-url"] ?? "",
          tokenUrl: values["token-url"] ?? "",
          jwksUrl: values["jwks-url"] ?? "",
          trustEmail: values["trust-email"],
        },
        { registeredBy: null, now: Date.now() },
      );
      console.log(JSON.stringify(platform, null, 2));
      break;
    }
    case "urls": {
      const origin = (positionals[0] ?? "").replace(/\/$/, "");
      if (!/^https?:\/\//.test(origin))
        throw new Error(`urls needs the public address of Stepwise, e.g. https://stepwise.example.edu; got "${positionals[0] ?? ""}"`);
      for (const [name, url] of Object.entries(toolUrls(origin))) console.log(`${name.padEnd(16)} ${url}`);
      // Most LMSs can also register the tool themselves from one link: an instructor makes it on a
      // course's settings page (it is one-time, so nobody else can register an LMS with it).
      console.log(
        '\nOr dynamic registration: an instructor creates a one-time registration link on a course\'s settings page (card "LMS (LTI 1.3)") and pastes it into the LMS.',
      );
      break;
    }
    case "platforms":
      console.log(JSON.stringify(await listPlatforms(db), null, 2));
      break;
    case "passback":
      console.log(JSON.stringify(await runPassbacks(deps, { workerId })));
      break;
    case "sync":
      console.log(JSON.stringify(await syncRosters(deps, values.course === undefined ? {} : { courseId: values.course }), null, 2));
      break;
    case "worker": {
      const every = Number(values["every-ms"]);
      if (!Number.isInteger(every) || every < 100) throw new Error(`--every-ms must be an integer ≥ 100 (ms), got "${values["every-ms"]}"`);
      let stopping = false;
      process.on("SIGTERM", () => (stopping = true));
      process.on("SIGINT", () => (stopping = true));
      while (!stopping) {
        const sent = await runPassbacks(deps, { workerId });
        if (sent.sent + sent.failed + sent.retrying > 0) console.log(`[lti] passback ${JSON.stringify(sent)}`);
        for (const r of await syncRosters(deps, { onlyStale: true }).catch((error: unknown) => {
          console.warn(`[lti] roster sync failed: ${error instanceof Error ? error.message : String(error)}`);
          return [];
        }))
          console.log(`[lti] roster of course ${r.courseId}: +${r.added} dropped ${r.dropped}`);
        await new Promise((resolve) => setTimeout(resolve, every));
      }
      break;
    }
    default:
      console.error("Usage: lti register|urls|platforms|passback|sync|worker (see the top of apps/web/scripts/lti.ts)");
      process.exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await db.close();
}
