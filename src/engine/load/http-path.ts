// An `http` check's path goes to the API server's service proxy with the engine's own credentials, so it
// must stay under /api/v1/namespaces/<ns>/services/<svc>/proxy: no dot segments (raw or percent-encoded),
// no encoded slashes or backslashes, no second host. Used at load time (the lab's positioned problem)
// and again by the proxy call itself (a Lab built in code never reaches the loader).

/** Why `path` could leave the service it is sent to, or undefined when it is confined. */
export function proxyPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return `path "${path}" must start with "/"`;
  if (path.startsWith('//')) return `path "${path}" must not start with "//" (that names another host)`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f\\#]/.test(path))
    return `path "${path}" must not contain spaces, control characters, "\\" or "#"`;
  const pathname = path.split('?')[0];
  if (/%(2f|5c|00)/i.test(pathname)) return `path "${path}" must not contain an encoded "/", "\\" or NUL`;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return `path "${path}" has a malformed %-escape`;
  }
  if ([pathname, decoded].some((p) => p.split('/').some((seg) => seg === '.' || seg === '..'))) {
    return `path "${path}" must not contain "." or ".." segments: it must stay under the Service it names`;
  }
  return undefined;
}

/** prefix + path, after checking that the URL the request goes to stays under prefix. Throws otherwise. */
export function confineProxyPath(prefix: string, path: string): string {
  const why = proxyPathProblem(path);
  if (why) throw new Error(`refused: ${why}`);
  const full = `${prefix}${path}`;
  const normalised = new URL(full, 'http://api.invalid').pathname;
  if (normalised !== prefix && !normalised.startsWith(`${prefix}/`))
    throw new Error(`refused: path "${path}" leaves ${prefix}`);
  return full;
}
