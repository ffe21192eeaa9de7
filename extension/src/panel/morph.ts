/**
 * Updates the panel's DOM in place to match a freshly built tree: elements that are still there
 * are kept (same tag and data-cy at the same place), only their attributes, handlers, values and
 * text change. The panel re-renders on every state change; replacing its buttons each time made
 * a click that straddled a render (press on the old button, release on the new one) vanish.
 */

const HANDLERS = ['onclick', 'onchange', 'oninput', 'onblur', 'onkeydown'] as const;

type Handlers = Record<(typeof HANDLERS)[number], unknown>;

const sameKind = (a: Node, b: Node): boolean =>
  a.nodeType === b.nodeType &&
  a.nodeName === b.nodeName &&
  (!(a instanceof Element) || a.getAttribute('data-cy') === (b as Element).getAttribute('data-cy'));

export function morph(target: Element, source: Element): void {
  for (const a of Array.from(target.attributes))
    if (!source.hasAttribute(a.name)) target.removeAttribute(a.name);
  for (const a of Array.from(source.attributes))
    if (target.getAttribute(a.name) !== a.value) target.setAttribute(a.name, a.value);
  for (const h of HANDLERS) (target as unknown as Handlers)[h] = (source as unknown as Handlers)[h];

  const have = Array.from(target.childNodes);
  const want = Array.from(source.childNodes);
  want.forEach((node, i) => {
    const old = have[i];
    if (!old) target.appendChild(node);
    else if (!sameKind(old, node)) target.replaceChild(node, old);
    else if (node instanceof Element) morph(old as Element, node);
    else if (old.nodeValue !== node.nodeValue) old.nodeValue = node.nodeValue;
  });
  for (const extra of have.slice(want.length)) extra.remove();

  // Live form state (a field being typed in keeps what the user typed).
  const focused = target.ownerDocument.activeElement === target;
  if (target instanceof HTMLInputElement && source instanceof HTMLInputElement) {
    if (!focused && target.value !== source.value) target.value = source.value;
    if (target.checked !== source.checked) target.checked = source.checked;
  } else if (target instanceof HTMLSelectElement && source instanceof HTMLSelectElement) {
    if (!focused && target.value !== source.value) target.value = source.value;
  }
}
