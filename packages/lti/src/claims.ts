import { z } from "zod";

/** Claim names of LTI 1.3 Core, Deep Linking 2.0, AGS 2.0 and NRPS 2.0. */
export const CLAIM = {
  messageType: "https://purl.imsglobal.org/spec/lti/claim/message_type",
  version: "https://purl.imsglobal.org/spec/lti/claim/version",
  deploymentId: "https://purl.imsglobal.org/spec/lti/claim/deployment_id",
  targetLinkUri: "https://purl.imsglobal.org/spec/lti/claim/target_link_uri",
  resourceLink: "https://purl.imsglobal.org/spec/lti/claim/resource_link",
  roles: "https://purl.imsglobal.org/spec/lti/claim/roles",
  context: "https://purl.imsglobal.org/spec/lti/claim/context",
  custom: "https://purl.imsglobal.org/spec/lti/claim/custom",
  deepLinkingSettings: "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings",
  deepLinkingContentItems: "https://purl.imsglobal.org/spec/lti-dl/claim/content_items",
  deepLinkingData: "https://purl.imsglobal.org/spec/lti-dl/claim/data",
  ags: "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint",
  nrps: "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice",
} as const;

export const SCOPE = {
  lineItem: "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
  lineItemReadOnly: "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
  score: "https://purl.imsglobal.org/spec/lti-ags/scope/score",
  memberships: "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
} as const;

const Url = z.string().url();

export const ContextClaim = z.object({
  id: z.string().min(1).describe("The LMS course's id, stable within the platform"),
  label: z.string().optional(),
  title: z.string().optional(),
});

export const AgsClaim = z.object({
  scope: z.array(z.string()).default([]),
  lineitems: Url.optional().describe("The context's line items container"),
  lineitem: Url.optional().describe("The line item bound to this resource link, when the platform made one"),
});

export const NrpsClaim = z.object({
  context_memberships_url: Url,
  service_versions: z.array(z.string()).optional(),
});

export const DeepLinkingSettings = z.object({
  deep_link_return_url: Url,
  accept_types: z.array(z.string()).min(1),
  accept_presentation_document_targets: z.array(z.string()).optional(),
  accept_multiple: z.boolean().optional(),
  data: z.string().optional().describe("Opaque; echoed back in the response"),
});

/** The claims every LTI 1.3 message we accept carries, after the signature and JWT checks. */
const Common = z.object({
  iss: z.string().min(1),
  sub: z.string().min(1).describe("The LMS user's id, stable within the issuer"),
  aud: z.union([z.string(), z.array(z.string()).min(1)]),
  azp: z.string().optional(),
  nonce: z.string().min(1),
  name: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  email: z.string().email().optional(),
  [CLAIM.version]: z.literal("1.3.0"),
  [CLAIM.deploymentId]: z.string().min(1),
  [CLAIM.roles]: z.array(z.string()),
  [CLAIM.context]: ContextClaim.optional(),
  [CLAIM.custom]: z.record(z.string(), z.unknown()).optional(),
  [CLAIM.ags]: AgsClaim.optional(),
  [CLAIM.nrps]: NrpsClaim.optional(),
});

export const ResourceLinkMessage = Common.extend({
  [CLAIM.messageType]: z.literal("LtiResourceLinkRequest"),
  [CLAIM.targetLinkUri]: Url,
  [CLAIM.resourceLink]: z.object({ id: z.string().min(1), title: z.string().optional() }),
});

export const DeepLinkingMessage = Common.extend({
  [CLAIM.messageType]: z.literal("LtiDeepLinkingRequest"),
  [CLAIM.deepLinkingSettings]: DeepLinkingSettings,
});

export const LtiMessage = z.discriminatedUnion(CLAIM.messageType, [ResourceLinkMessage, DeepLinkingMessage]);
export type LtiMessage = z.infer<typeof LtiMessage>;

/** Stepwise's two course roles. */
export type MappedRole = "student" | "instructor";

// Context roles that teach: instructors, teaching assistants (a sub-role of Instructor), content
// developers and administrators of the course. Institution roles alone never make anyone teach a course.
const TEACHING = [
  "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
  "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
  "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper",
  "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
  "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor",
];
const SHORT_TEACHING = ["Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator", "Mentor"];

/**
 * The course role of an LMS member: anyone holding a teaching role is an instructor, everyone else a
 * student. NRPS sends short role names ("Instructor"), launches full URIs; both are understood.
 */
export function mapRoles(roles: readonly string[]): MappedRole {
  const teaches = roles.some(
    (role) =>
      TEACHING.includes(role) ||
      SHORT_TEACHING.includes(role) ||
      role.startsWith("http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#"),
  );
  return teaches ? "instructor" : "student";
}

/** Whether the member is a learner (the only members whose scores go back to the LMS). */
export function isLearner(roles: readonly string[]): boolean {
  return (
    mapRoles(roles) === "student" &&
    roles.some((r) => r === "Learner" || r.endsWith("membership#Learner") || r.includes("membership/Learner#"))
  );
}

export type ResourceLinkMessage = z.infer<typeof ResourceLinkMessage>;
export type DeepLinkingMessage = z.infer<typeof DeepLinkingMessage>;

export function isDeepLinking(message: LtiMessage): message is DeepLinkingMessage {
  return message[CLAIM.messageType] === "LtiDeepLinkingRequest";
}
