// `{{key}}` placeholders in checks, resolved from ground_truth.json at load (DESIGN §4).

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** A placeholder that does not resolve to a string or number; `detail` says why. */
export class PlaceholderError extends Error {}

/** `key` in the ground truth: a literal top-level key first, else a dotted path ("join.total"). */
function lookup(groundTruth: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(groundTruth, key)) return groundTruth[key];
  let node: unknown = groundTruth;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Replaces every `{{key}}` in `text` with its ground-truth value. With `asRegex`, the value is
 * escaped so that a pattern matches it literally. Throws PlaceholderError naming the key.
 */
export function substitute(text: string, groundTruth: Record<string, unknown>, asRegex = false): string {
  return text.replace(PLACEHOLDER, (_whole, key: string) => {
    const value = lookup(groundTruth, key);
    if (value === undefined) throw new PlaceholderError(`unresolved placeholder '{{${key}}}': no key '${key}' in ground truth`);
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new PlaceholderError(`placeholder '{{${key}}}' resolves to ${value === null ? 'null' : typeof value}, expected a string or number`);
    }
    return asRegex ? escapeRegex(String(value)) : String(value);
  });
}
