"use client";

import type { ModelSpec } from "@stepwise/core/contracts";
import { useState, type ChangeEvent } from "react";
import { parseModelFile } from "~/lib/model-upload";

/** Picks a Keras or TF.js model JSON file and reports the parsed `model` (or null while none is valid). */
export function ModelFileInput({ onModel }: { onModel: (spec: ModelSpec | null) => void }) {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function onChange(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    onModel(null);
    if (!file) {
      setMessage(null);
      return;
    }
    try {
      const spec = parseModelFile(await file.text(), file.name);
      onModel(spec);
      setMessage({
        ok: true,
        text: `${file.name}: a ${spec.format === "keras" ? "Keras" : "TF.js"} model. Its weights, if any, are ignored; the grader trains it from scratch.`,
      });
    } catch (e) {
      setMessage({ ok: false, text: e instanceof Error ? e.message : String(e) });
    }
  }

  return (
    <div className="stack">
      <label>
        Model JSON file (Keras or TF.js)
        <input type="file" accept=".json,application/json" onChange={(e) => void onChange(e)} aria-describedby="model-file-help" />
      </label>
      <span id="model-file-help" className="muted small">
        Keras: <code>open(&quot;model.json&quot;, &quot;w&quot;).write(model.to_json())</code>. TF.js:{" "}
        <code>JSON.stringify(model.toJSON())</code> or the <code>model.json</code> of <code>model.save()</code>.
      </span>
      {message && (
        <p className={message.ok ? "ok-box" : "error-box"} role={message.ok ? "status" : "alert"} data-testid="model-file-message">
          {message.text}
        </p>
      )}
    </div>
  );
}
