"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "~/trpc/react";

export function JoinCode({ courseId, joinCode }: { courseId: string; joinCode: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [confirming, setConfirming] = useState(false);
  const rotate = useMutation(
    trpc.course.rotateJoinCode.mutationOptions({
      onSuccess: () => {
        setConfirming(false);
        router.refresh();
      },
    }),
  );
  const code = rotate.data?.joinCode ?? joinCode;
  return (
    <div className="stack">
      <p>
        Students join at <strong>My courses → Join a course</strong> with the code{" "}
        <code data-testid="join-code" style={{ fontSize: "1.4rem", fontWeight: 700 }}>
          {code}
        </code>
      </p>
      {confirming ? (
        <div className="note" role="group" aria-label="Confirm rotating the join code">
          <p style={{ marginTop: 0 }}>The current code stops working at once; students already enrolled stay enrolled.</p>
          <div className="actions">
            <button type="button" onClick={() => rotate.mutate({ courseId })} disabled={rotate.isPending}>
              {rotate.isPending ? "Rotating…" : "Yes, make a new code"}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="secondary" onClick={() => setConfirming(true)}>
            Rotate join code
          </button>
        </div>
      )}
      {rotate.error && (
        <p role="alert" className="error-box">
          {rotate.error.message}
        </p>
      )}
    </div>
  );
}
