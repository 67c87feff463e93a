import { CopyButton } from "./copy-button";

/** A read-only value (URL, secret, header) with a copy button. */
export function CopyField({ label, value, secret = false }: { label: string; value: string; secret?: boolean }) {
  const id = `field-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <div className="mt-1 flex items-center gap-2">
        <input
          id={id}
          readOnly
          value={value}
          type={secret ? "password" : "text"}
          className="w-full min-w-0 rounded-md border border-slate-300 bg-slate-50 px-3 py-1.5 font-mono text-sm text-slate-800"
        />
        <CopyButton value={value} label={label} />
      </div>
    </div>
  );
}
