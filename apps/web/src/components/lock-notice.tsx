import Link from "next/link";

export interface LockView {
  reason: string;
  unlockedBy: { assignmentId: string; number: number; title: string } | null;
}

/** The id the disabled submit buttons point to (`aria-describedby`), so the reason is read with them. */
export const LOCK_REASON_ID = "lock-reason";

/**
 * A locked step says so before the student writes anything: why, and a link to the step that
 * unlocks it. The submit buttons are disabled with the same reason; the server refuses anyway.
 */
export function LockNotice({ courseId, lock }: { courseId: string; lock: LockView }) {
  return (
    <section className="note" data-testid="lock-notice" aria-label="This step is locked" style={{ marginBottom: "1rem" }}>
      <p style={{ margin: 0 }}>
        <strong>Locked.</strong> <span id={LOCK_REASON_ID}>{lock.reason}</span>
        {lock.unlockedBy && (
          <>
            {" "}
            <Link href={`/courses/${courseId}/assignments/${lock.unlockedBy.assignmentId}`} data-testid="unlock-link">
              Go to step {lock.unlockedBy.number} — {lock.unlockedBy.title}
            </Link>
          </>
        )}
      </p>
    </section>
  );
}

/** The props that tie a disabled submit button to the lock's reason (title for a pointer, aria for a reader). */
export function lockedBy(lock: LockView | null): { title?: string; "aria-describedby"?: string } {
  return lock ? { title: lock.reason, "aria-describedby": LOCK_REASON_ID } : {};
}
