// The API paths of the collections the engine and the workshop watch, in one place (Kube's named watch
// operations build them; test doubles of a cluster parse them).

/** Which namespaces a watch follows: by label selector, or by field selector (e.g. `metadata.name=x`). */
export interface NamespaceSelector {
  label?: string;
  field?: string;
}

/** `/api/v1/namespaces` narrowed by a label and/or field selector. */
export function namespacesPath(sel: NamespaceSelector): string {
  const q = new URLSearchParams();
  if (sel.label) q.set('labelSelector', sel.label);
  if (sel.field) q.set('fieldSelector', sel.field);
  const qs = q.toString();
  return qs ? `/api/v1/namespaces?${qs}` : '/api/v1/namespaces';
}

/** One ConfigMap of one namespace, as a collection of zero or one item. */
export function configMapPath(namespace: string, name: string): string {
  const q = new URLSearchParams({ fieldSelector: `metadata.name=${name}` });
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps?${q.toString()}`;
}
