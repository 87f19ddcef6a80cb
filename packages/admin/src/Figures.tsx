/** A row of labelled figures (a description list), as the overview and the account page show them. */
export function Figures({ rows }: { rows: { label: string; value: string; testId?: string }[] }) {
  return (
    <dl className="console-figures">
      {rows.map((r) => (
        <div key={r.label}>
          <dt>{r.label}</dt>
          <dd {...(r.testId ? { "data-testid": r.testId } : {})}>{r.value}</dd>
        </div>
      ))}
    </dl>
  );
}
