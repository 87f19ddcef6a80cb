import { describeError } from "./i18n.ts";
import { useNyang } from "./provider.tsx";

/** A read that failed: what went wrong, in the person's words, and a way to try again. */
export function LoadError({ error, retry }: { error: unknown; retry?: () => void }) {
  const { t } = useNyang("<LoadError>");
  return (
    <p role="alert" className="nyang-error">
      {t.loadFailed}: {describeError(t, error)}{" "}
      {retry && (
        <button type="button" className="nyang-button" onClick={retry}>
          {t.retry}
        </button>
      )}
    </p>
  );
}
