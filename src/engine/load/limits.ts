// What a lab folder may hold at most. A lab is a handful of small files; these limits only stop hostile
// or broken folders (a huge file, an alias bomb, thousands of nested brackets) before they cost memory
// or time. labs/README.md lists them for authors.
export const LIMITS = {
  /** Bytes per file (lab.yaml or a manifest). */
  fileBytes: 256 * 1024,
  /** *.yaml files per lab folder. */
  filesPerLab: 64,
  /** YAML documents per manifest file. */
  documentsPerFile: 100,
  /** Nesting of mappings and lists inside one document. */
  depth: 48,
  /** Alias nodes (*name) per file. */
  aliases: 64,
  /** Nodes the aliases of one document may expand to (the yaml package's maxAliasCount). */
  aliasExpansion: 1000,
} as const;

export function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}
