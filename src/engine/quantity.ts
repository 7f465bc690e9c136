// Kubernetes resource quantities as numbers: CPU in millicores ("250m", "2", "0.5"), memory and
// storage in bytes ("512Mi", "1Gi", "128974848", "1G"). Only the suffixes the API accepts.
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3 };

function parse(q: string): number {
  const m = /^([0-9.]+)([a-zA-Z]{0,2})$/.exec(q.trim());
  const scale = m ? (m[2] === '' ? 1 : (BINARY[m[2]!] ?? DECIMAL[m[2]!])) : undefined;
  if (!m || scale === undefined || Number.isNaN(Number(m[1]))) throw new Error(`not a Kubernetes quantity: "${q}"`);
  return Number(m[1]) * scale;
}

/** "250m" → 250, "2" → 2000. */
export function milliCpu(q: string | number): number {
  return Math.round(parse(String(q)) * 1000);
}

/** "512Mi" → 536870912. */
export function bytesOf(q: string | number): number {
  return Math.round(parse(String(q)));
}
