/** Suffixes of Kubernetes quantities and the factor each stands for. */
const FACTORS: Readonly<Record<string, number>> = {
  '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** A quantity's value ("500m" is 0.5, "1Gi" is 1073741824); null when absent or not a quantity. */
export function parseQuantity(text: string | undefined): number | null {
  if (text === undefined) return null;
  const match = QUANTITY.exec(text.trim());
  if (!match) return null;
  const [, mantissa, exponent, suffix] = match;
  const value = Number(mantissa) * 10 ** Number(exponent ?? 0) * FACTORS[suffix ?? ''];
  return Number.isFinite(value) ? value : null;
}

/** A quantity of bytes as a bigint column takes it (whole bytes, as text); null when absent. */
export function bytes(text: string | undefined): string | null {
  const value = parseQuantity(text);
  return value === null ? null : String(Math.ceil(value));
}

/** A CPU quantity in millicores ("2" is 2000, "250m" is 250). */
export function millicores(text: string | undefined): number | null {
  const value = parseQuantity(text);
  return value === null ? null : Math.round(value * 1000);
}
