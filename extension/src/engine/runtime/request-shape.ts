/**
 * The shape every message between our threads has ({ type, id }), checked before anything reads
 * its fields: a message from a bug or a stale page is answered as malformed, never thrown on by
 * the thread that receives it (an exception there would end a Node worker thread).
 */

/** Why `message` is no request ({ type: string, … }), or null when it has that shape. */
export function requestShapeProblem(message: unknown): string | null {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    const shown = message === undefined ? 'undefined' : JSON.stringify(message).slice(0, 40);
    return `${shown} is not a request object`;
  }
  if (typeof (message as { type?: unknown }).type !== 'string') return 'an object without a type';
  return null;
}

/** The id of a request (or answer) when it has a numeric one; one without matches nothing. */
export function requestIdOf(message: unknown): number | undefined {
  const id = typeof message === 'object' && message !== null ? (message as { id?: unknown }).id : undefined;
  return typeof id === 'number' ? id : undefined;
}
