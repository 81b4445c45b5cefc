"use client";

import { useSyncExternalStore } from "react";

/**
 * Whether a request of this page was refused for want of a session (it expired, or was revoked on
 * another device). Set by the tRPC link on any UNAUTHORIZED answer, cleared once the user signs in
 * again in the dialog; the header and the dialog read it.
 */
let expired = false;
const listeners = new Set<() => void>();

/** Fired on `window` after signing in again, so pending work (a draft save) is retried. */
export const SESSION_RESTORED_EVENT = "stepwise:session-restored";

function set(value: boolean) {
  if (expired === value) return;
  expired = value;
  for (const listener of listeners) listener();
}

export function reportSessionExpired(): void {
  set(true);
}

export function reportSessionRestored(): void {
  set(false);
  window.dispatchEvent(new Event(SESSION_RESTORED_EVENT));
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSessionExpired(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => expired,
    () => false,
  );
}
