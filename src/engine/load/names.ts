// Kubernetes' name rules (the API server's own validation), so a bad name is reported at load time with
// its position instead of as a 422 from the API server in the middle of a lab.

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** RFC 1123 label: container, volume and port names, most object names' parts. Undefined when valid. */
export function dns1123Label(name: string): string | undefined {
  if (name.length > 63) return `"${name.slice(0, 20)}…" is ${name.length} characters; at most 63`;
  if (!LABEL.test(name))
    return `"${name}" is not a valid name: lower-case letters, digits and "-", starting and ending with a letter or digit (RFC 1123)`;
  return undefined;
}

/** RFC 1123 subdomain: names of Pods, Jobs, ConfigMaps, Deployments… */
export function dns1123Subdomain(name: string): string | undefined {
  if (name.length > 253) return `"${name.slice(0, 20)}…" is ${name.length} characters; at most 253`;
  if (!name.split('.').every((part) => LABEL.test(part))) {
    return `"${name}" is not a valid name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit (RFC 1123)`;
  }
  return undefined;
}

/** RFC 1035 label: Service names (they become DNS names and environment variables). */
export function dns1035Label(name: string): string | undefined {
  if (name.length > 63) return `"${name.slice(0, 20)}…" is ${name.length} characters; at most 63`;
  if (!LABEL_1035.test(name))
    return `"${name}" is not a valid name for a Service: lower-case letters, digits and "-", starting with a letter (RFC 1035)`;
  return undefined;
}

/** IANA service name: named container ports (at most 15 characters, at least one letter). */
export function portName(name: string): string | undefined {
  if (name.length > 15 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || !/[a-z]/.test(name) || name.includes('--')) {
    return `"${name}" is not a valid port name: at most 15 lower-case letters, digits and "-", with at least one letter`;
  }
  return undefined;
}

/** The rule for metadata.name of a kind. */
export function objectName(kind: string, name: string): string | undefined {
  return kind === 'Service' ? dns1035Label(name) : dns1123Subdomain(name);
}

/** A label key (optional DNS prefix, "/", a name of at most 63 characters). */
export function labelKey(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if ((prefix !== undefined && dns1123Subdomain(prefix)) || name.length > 63 || !QUALIFIED.test(name)) {
    return `label key "${key}" is not valid: [prefix/]name, the name at most 63 letters, digits, "-", "_" and "."`;
  }
  return undefined;
}

export function labelValue(value: string): string | undefined {
  if (value.length > 63 || !LABEL_VALUE.test(value))
    return `label value "${value}" is not valid: at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
  return undefined;
}
