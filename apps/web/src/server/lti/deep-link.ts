import { assignmentById, assignmentsForCourse, coursesForUser, membership } from "@stepwise/db";
import { connectContext, connectedCourse, consumeLaunchToken, enrolMember, type LaunchFacts, platformById } from "@stepwise/db/lti";
import { deepLinkingResponse, LaunchError, LINK_PARAM, linkToken } from "@stepwise/lti";
import { z } from "zod";
import { type LtiDeps, publicOrigin, registrationOf, toolKey, toolUrls } from "./deps";
import { escapeHtml, ltiPage, originOf } from "./html";

/** Every Stepwise assignment counts 100 points in the gradebook; the LMS column gets the same maximum. */
export const LINE_ITEM_MAXIMUM = 100;

const DeepLinkPayload = z.object({
  platformId: z.string(),
  context: z.object({
    id: z.string(),
    title: z.string(),
    deploymentId: z.string(),
    membershipsUrl: z.string().nullable(),
    lineItemsUrl: z.string().nullable(),
  }),
  returnUrl: z.string().url(),
  data: z.string().nullable(),
});

/** The picker an instructor sees in the LMS's "add external tool" dialog: assignments of the courses they teach. */
export async function deepLinkPicker(
  deps: LtiDeps,
  input: { userId: string; token: string; contextId: string; platformId: string; frameAncestors: string[] },
): Promise<Response> {
  const connected = await connectedCourse(deps.db, { platformId: input.platformId, contextId: input.contextId });
  const courses = (await coursesForUser(deps.db, input.userId)).filter(
    (c) => c.role === "instructor" && (connected === null || c.id === connected),
  );
  const sections: string[] = [];
  for (const course of courses) {
    const assignments = await assignmentsForCourse(deps.db, course.id);
    if (assignments.length === 0) continue;
    sections.push(
      `<fieldset><legend>${escapeHtml(course.title)}</legend>${assignments
        .map((a) => `<label><input type="radio" name="assignment" value="${escapeHtml(a.id)}" required> ${escapeHtml(a.title)}</label>`)
        .join("")}</fieldset>`,
    );
  }
  const body =
    sections.length === 0
      ? `<h1>Add a Stepwise assignment</h1><p>You teach no Stepwise course with assignments${connected ? " connected to this LMS course" : ""} yet. Ask an instructor of the Stepwise course to add you, then try again.</p>`
      : `<h1>Add a Stepwise assignment</h1><form method="post" action="/api/lti/deep-link"><input type="hidden" name="token" value="${escapeHtml(input.token)}">${sections.join("")}<p><button type="submit">Add to the LMS course</button></p></form>`;
  return ltiPage({ title: "Add a Stepwise assignment", frameAncestors: input.frameAncestors, body });
}

/** The picker's form: sign the chosen assignment as an LTI resource link with a line item and post it back to the LMS. */
export async function handleDeepLink(req: Request, deps: LtiDeps): Promise<Response> {
  const form = new URLSearchParams(await req.text());
  const now = deps.clock();
  const entry = await consumeLaunchToken(deps.db, { token: form.get("token") ?? "", kind: "deep_link", now });
  try {
    if (!entry) throw new LaunchError("replayed", "This picker was already used or has expired; open the tool picker in the LMS again.");
    const payload = DeepLinkPayload.parse(entry.payload);
    const assignment = await assignmentById(deps.db, form.get("assignment") ?? "");
    if (!assignment) throw new LaunchError("bad_request", "Pick one of the assignments listed.");
    if ((await membership(deps.db, assignment.courseId, entry.userId)) !== "instructor")
      throw new LaunchError("bad_request", `You do not teach the course of "${assignment.title}".`);
    const platform = await platformById(deps.db, payload.platformId);
    const context: LaunchFacts["context"] = payload.context;
    await connectContext(deps.db, { platformId: platform.id, context, courseId: assignment.courseId });
    await enrolMember(deps.db, {
      platformId: platform.id,
      contextId: context.id,
      courseId: assignment.courseId,
      userId: entry.userId,
      role: "instructor",
      now,
    });
    const registration = registrationOf(platform);
    const key = await toolKey(deps.db, now);
    const jwt = await deepLinkingResponse(key, {
      platform: registration,
      deploymentId: context.deploymentId,
      ...(payload.data === null ? {} : { data: payload.data }),
      now,
      items: [
        {
          title: assignment.title,
          url: toolUrls(publicOrigin(req, deps.trustedProxies)).launchUrl,
          custom: {
            [LINK_PARAM]: await linkToken(key, { platform: registration, assignmentId: assignment.id, courseId: assignment.courseId, now }),
          },
          lineItem: { scoreMaximum: LINE_ITEM_MAXIMUM, label: assignment.title, resourceId: assignment.id },
        },
      ],
    });
    const returnOrigin = originOf(payload.returnUrl);
    return ltiPage({
      title: "Return to the LMS",
      frameAncestors: [originOf(platform.authUrl), originOf(platform.issuer)].filter((o): o is string => o !== null),
      formAction: returnOrigin ? [returnOrigin] : [],
      body: `<h1>“${escapeHtml(assignment.title)}” is ready</h1><form method="post" action="${escapeHtml(payload.returnUrl)}"><input type="hidden" name="JWT" value="${escapeHtml(jwt)}"><button type="submit">Return to the LMS</button></form>`,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return ltiPage({
      title: "Could not add the assignment",
      status: 400,
      frameAncestors: [],
      body: `<h1>Could not add the assignment</h1><p class="error">${escapeHtml(message)}</p>`,
    });
  }
}
