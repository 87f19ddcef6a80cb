import { useEffect, useRef, type ReactNode } from "react";

/**
 * Asks before an admin action: a modal <dialog> (focus moves into it, Escape cancels) whose
 * confirm button names the action.
 */
export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel }: { title: string; children: ReactNode; confirmLabel: string; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) {
      if (typeof dialog.showModal === "function") dialog.showModal();
      else dialog.setAttribute("open", "");
    }
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" className="console-dialog" onCancel={onCancel}>
      <h2 id="confirm-title">{title}</h2>
      <div>{children}</div>
      <div className="console-dialog__buttons">
        <button type="button" onClick={onCancel}>
          취소
        </button>
        <button type="button" className="console-danger" onClick={onConfirm} autoFocus>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
