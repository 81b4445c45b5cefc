"use client";

/** The new password and its confirmation, as the account and reset forms ask for them. */
export function NewPasswordFields({
  password,
  confirm,
  onPassword,
  onConfirm,
}: {
  password: string;
  confirm: string;
  onPassword: (value: string) => void;
  onConfirm: (value: string) => void;
}) {
  return (
    <>
      <label>
        New password
        <input type="password" autoComplete="new-password" value={password} onChange={(e) => onPassword(e.target.value)} />
      </label>
      <label>
        New password again
        <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => onConfirm(e.target.value)} />
      </label>
    </>
  );
}
