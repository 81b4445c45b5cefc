"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import superjson from "superjson";
import type { DraftContent } from "~/server/services/drafts";
import { SESSION_RESTORED_EVENT } from "~/lib/session-state";
import { useTRPCClient } from "~/trpc/react";

/** Quiet time after the last change before the draft is saved. */
export const DRAFT_SAVE_DELAY_MS = 1_000;

export type DraftSaveState = { kind: "idle" } | { kind: "saving" } | { kind: "saved"; at: number } | { kind: "error"; message: string };

/**
 * Keeps the student's draft on the server: saved `DRAFT_SAVE_DELAY_MS` after the last change, at once
 * after `saveNextAtOnce` (a loaded model, a reset), and when the page is hidden or left — then with a
 * `keepalive` request, which outlives the page. Saves run one after another, so an older draft
 * never lands after a newer one. `enabled` is false for instructors, who have no drafts.
 */
export function useDraftSaver(assignmentId: string, content: DraftContent, options: { enabled: boolean; savedAt: number | null }) {
  const client = useTRPCClient();
  const [state, setState] = useState<DraftSaveState>(options.savedAt !== null ? { kind: "saved", at: options.savedAt } : { kind: "idle" });
  const serialized = JSON.stringify(content);
  const lastSaved = useRef(serialized);
  const latest = useRef({ serialized, content });
  latest.current = { serialized, content };
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const chain = useRef<Promise<void>>(Promise.resolve());
  // The next change is saved without waiting (a model loaded from a submission, a reset to the starter).
  const immediate = useRef(false);

  const save = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    chain.current = chain.current.then(async () => {
      const { serialized: text, content: draft } = latest.current;
      if (text === lastSaved.current) {
        setState((s) => (s.kind === "saving" ? { kind: "saved", at: Date.now() } : s));
        return;
      }
      setState({ kind: "saving" });
      try {
        const { updatedAt } = await client.draft.save.mutate({ assignmentId, content: draft });
        lastSaved.current = text;
        setState({ kind: "saved", at: updatedAt });
      } catch (error) {
        setState({ kind: "error", message: error instanceof Error ? error.message : String(error) });
      }
    });
  }, [assignmentId, client]);

  useEffect(() => {
    if (!options.enabled || serialized === lastSaved.current) return;
    setState({ kind: "saving" });
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(save, immediate.current ? 0 : DRAFT_SAVE_DELAY_MS);
    immediate.current = false;
  }, [serialized, options.enabled, save]);

  useEffect(() => {
    if (!options.enabled) return;
    // A closing page cancels ordinary requests; a keepalive one is delivered (tRPC's single-call form).
    const flush = () => {
      if (latest.current.serialized === lastSaved.current) return;
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
      const body = JSON.stringify(superjson.serialize({ assignmentId, content: latest.current.content }));
      lastSaved.current = latest.current.serialized;
      void fetch("/api/trpc/draft.save", { method: "POST", keepalive: true, headers: { "content-type": "application/json" }, body }).catch(
        () => undefined,
      );
    };
    const onVisibility = () => {
      if (document.visibilityState === "hidden") flush();
    };
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      window.removeEventListener("pagehide", flush);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [assignmentId, options.enabled]);

  // A save refused because the session lapsed is tried again once the student signs in in the dialog.
  useEffect(() => {
    if (!options.enabled) return;
    window.addEventListener(SESSION_RESTORED_EVENT, save);
    return () => window.removeEventListener(SESSION_RESTORED_EVENT, save);
  }, [options.enabled, save]);

  /** Saves the next change at once instead of after the quiet time. */
  const saveNextAtOnce = useCallback(() => {
    immediate.current = true;
  }, []);

  return { state, saveNextAtOnce };
}

/** "Saved" / "Saving…" / why it was not saved, next to the editor. */
export function draftStatusText(state: DraftSaveState): string | null {
  switch (state.kind) {
    case "idle":
      return null;
    case "saving":
      return "Saving…";
    case "saved":
      return "Saved";
    case "error":
      return `Not saved: ${state.message}`;
  }
}
