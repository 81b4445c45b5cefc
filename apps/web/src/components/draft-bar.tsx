"use client";

import { useState } from "react";
import { draftStatusText, type DraftSaveState } from "./use-draft";

/** Above the editor: where its model came from, whether the draft is saved, and a way back to the starter (asked twice). */
export function DraftBar({ state, origin, onReset }: { state: DraftSaveState; origin: string | null; onReset: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const status = draftStatusText(state);
  return (
    <div className="draft-bar">
      {origin && (
        <p className="muted small" data-testid="editor-origin" style={{ margin: 0 }}>
          {origin}
        </p>
      )}
      <div className="actions" style={{ justifyContent: "space-between" }}>
        <span
          className={state.kind === "error" ? "error-text small" : "muted small"}
          role={state.kind === "error" ? "alert" : "status"}
          data-testid="draft-status"
        >
          {status ?? "Your work is saved as you type."}
        </span>
        {confirming ? (
          <span className="actions">
            <span className="small">Replace your model and settings with the starter?</span>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setConfirming(false);
                onReset();
              }}
            >
              Yes, reset
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" className="secondary" onClick={() => setConfirming(true)}>
            Reset to starter
          </button>
        )}
      </div>
    </div>
  );
}
