export * from "./claims";
export * from "./errors";
export * from "./types";
export type { JWK as JWKLike } from "jose";
export { generateToolKey, publicJwks, signWithToolKey, TOOL_ALG } from "./keys";
export { authorizationUrl, LoginInitiation, parseLoginInitiation, randomToken } from "./login";
export { PlatformKeys, verifyIdToken, CLOCK_TOLERANCE_S, MAX_ID_TOKEN_AGE_S, PLATFORM_JWKS_TTL_MS } from "./verify";
export { PlatformTokens, send, withToken, TOKEN_MARGIN_MS } from "./services";
export { postScore, createLineItem, scoresUrl, type Score } from "./ags";
export { fetchMembers, Member } from "./nrps";
export { deepLinkingResponse, linkToken, verifyLinkToken, LINK_PARAM, type PickedResource } from "./deep-linking";
export { passbackDelayMs } from "./retry";
export {
  clientRegistrationRequest,
  fetchPlatformConfiguration,
  PlatformConfiguration,
  PLATFORM_CONFIGURATION_CLAIM,
  registerWithPlatform,
  TOOL_CONFIGURATION_CLAIM,
  type ToolDescription,
} from "./dynamic-registration";
