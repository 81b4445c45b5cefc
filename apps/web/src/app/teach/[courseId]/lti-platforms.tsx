"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "~/trpc/react";
import type { RouterOutputs } from "~/trpc/types";
import { FormFooter, TextField } from "../fields";
import { pathErrors } from "../form-errors";

type Platform = RouterOutputs["lti"]["platforms"][number];
export interface ToolUrls {
  loginUrl: string;
  launchUrl: string;
  deepLinkingUrl: string;
  jwksUrl: string;
}

/** Stepwise's side of the LTI configuration, as read-only fields: a click or Tab selects the whole value for copying. */
export function LtiToolValues({ urls }: { urls: ToolUrls }) {
  const rows = [
    ["lti-tool-login-url", "OpenID Connect login initiation URL", urls.loginUrl],
    ["lti-tool-launch-url", "Target link URI / launch URL / redirect URI", urls.launchUrl],
    ["lti-tool-deep-linking-url", "Deep linking (content selection) URL", urls.deepLinkingUrl],
    ["lti-tool-jwks-url", "Public keyset (JWKS) URL", urls.jwksUrl],
  ] as const;
  return (
    <div className="stack" data-testid="lti-tool-values">
      {rows.map(([id, label, value]) => (
        <div key={id} className="stack-tight">
          <label htmlFor={id}>{label}</label>
          <input
            id={id}
            readOnly
            value={value}
            onFocus={(e) => e.currentTarget.select()}
            spellCheck={false}
            style={{ fontFamily: "monospace", width: "100%" }}
          />
        </div>
      ))}
    </div>
  );
}

export function LtiPlatforms({ platforms }: { platforms: Platform[] }) {
  if (platforms.length === 0) return <p className="muted">You have registered no LMS yet.</p>;
  return (
    <table aria-label="Registered LMS platforms">
      <thead>
        <tr>
          <th scope="col">Issuer</th>
          <th scope="col">Client id</th>
          <th scope="col">Deployment ids</th>
          <th scope="col">OIDC auth URL</th>
        </tr>
      </thead>
      <tbody>
        {platforms.map((p) => (
          <tr key={p.id} data-testid="lti-platform-row">
            <td>
              <code>{p.issuer}</code>
            </td>
            <td>
              <code>{p.clientId}</code>
            </td>
            <td>{p.deploymentIds.join(", ")}</td>
            <td className="small">{p.authUrl}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Makes a one-time link for LMSs with LTI Dynamic Registration (Canvas, Moodle 4.1+): the administrator pastes it instead of the values above. */
export function LtiRegistrationLink({ origin }: { origin: string }) {
  const trpc = useTRPC();
  const link = useMutation(trpc.lti.registrationLink.mutationOptions());
  return (
    <div className="stack-tight" style={{ marginTop: "0.75rem" }}>
      <div className="actions">
        <button type="button" className="secondary" onClick={() => link.mutate()} disabled={link.isPending}>
          {link.data ? "Make another registration link" : "Make a dynamic registration link"}
        </button>
        <span className="muted small">For an LMS with LTI Dynamic Registration: one use, valid for a week.</span>
      </div>
      {link.data && (
        <>
          <label htmlFor="lti-registration-link">Dynamic registration URL</label>
          <input
            id="lti-registration-link"
            readOnly
            value={`${origin}${link.data.path}`}
            onFocus={(e) => e.currentTarget.select()}
            spellCheck={false}
            style={{ fontFamily: "monospace", width: "100%" }}
          />
        </>
      )}
      {link.error && (
        <p role="alert" className="error-box">
          {link.error.message}
        </p>
      )}
    </div>
  );
}

/** Deployment ids as the form takes them: one per line or separated by commas. */
export function splitDeployments(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Registers an LMS (or updates the caller's registration with the same issuer and client id) through `lti.register`. */
export function LtiRegisterForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [issuer, setIssuer] = useState("");
  const [clientId, setClientId] = useState("");
  const [deployments, setDeployments] = useState("");
  const [authUrl, setAuthUrl] = useState("");
  const [tokenUrl, setTokenUrl] = useState("");
  const [jwksUrl, setJwksUrl] = useState("");
  const register = useMutation(trpc.lti.register.mutationOptions({ onSuccess: () => router.refresh() }));
  const { fields, general } = pathErrors(register.error);
  // Any deployment's problem belongs to the one field that holds them all.
  const deploymentError = Object.entries(fields).find(([path]) => path === "deploymentIds" || path.startsWith("deploymentIds."))?.[1];

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    register.mutate({
      issuer: issuer.trim(),
      clientId: clientId.trim(),
      deploymentIds: splitDeployments(deployments),
      authUrl: authUrl.trim(),
      tokenUrl: tokenUrl.trim(),
      jwksUrl: jwksUrl.trim(),
    });
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-label="Register an LMS">
      <div className="grid-settings grid-wide">
        <TextField
          id="lti-issuer"
          label="Issuer"
          value={issuer}
          onChange={setIssuer}
          error={fields.issuer}
          hint="e.g. https://canvas.instructure.com"
          required
        />
        <TextField
          id="lti-client-id"
          label="Client id"
          value={clientId}
          onChange={setClientId}
          error={fields.clientId}
          hint="The id the LMS gave Stepwise"
          required
        />
        <TextField
          id="lti-deployments"
          label="Deployment ids"
          value={deployments}
          onChange={setDeployments}
          error={deploymentError}
          hint="Separate several with commas"
          required
        />
        <TextField id="lti-auth-url" label="OIDC auth URL" value={authUrl} onChange={setAuthUrl} error={fields.authUrl} required />
        <TextField id="lti-token-url" label="Token URL" value={tokenUrl} onChange={setTokenUrl} error={fields.tokenUrl} required />
        <TextField id="lti-jwks-url" label="JWKS URL" value={jwksUrl} onChange={setJwksUrl} error={fields.jwksUrl} required />
      </div>
      <FormFooter
        general={general}
        pending={register.isPending}
        label="Register LMS"
        pendingLabel="Registering…"
        status={register.data && !register.isPending ? `Registered ${register.data.issuer}.` : ""}
      />
    </form>
  );
}
