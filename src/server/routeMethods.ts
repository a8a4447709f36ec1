/**
 * The methods each registered route answers, looked up by a concrete request path, so that OPTIONS can be
 * answered as Flask answers it for every rule it has: with the rule's methods in `Allow`, HEAD and OPTIONS
 * included. Route URLs use find-my-way's syntax as FlowOps writes it: `:param` segments and a trailing `*`.
 */

interface RoutePattern {
  matcher: RegExp;
  methods: Set<string>;
}

export class RouteMethods {
  private readonly patterns = new Map<string, RoutePattern>();

  add(method: string | readonly string[], url: string): void {
    let pattern = this.patterns.get(url);
    if (pattern === undefined) {
      pattern = { matcher: routeRegExp(url), methods: new Set() };
      this.patterns.set(url, pattern);
    }
    for (const one of typeof method === "string" ? [method] : method) pattern.methods.add(one.toUpperCase());
  }

  /** The `Allow` value for a path, or undefined where no route matches it. */
  allowedAt(path: string): string | undefined {
    const methods = new Set<string>();
    for (const { matcher, methods: own } of this.patterns.values()) {
      if (matcher.test(path)) for (const method of own) methods.add(method);
    }
    if (methods.size === 0) return undefined;
    if (methods.has("GET")) methods.add("HEAD");
    methods.add("OPTIONS");
    return [...methods].sort().join(", ");
  }
}

function routeRegExp(url: string): RegExp {
  let source = "";
  for (let i = 0; i < url.length; i += 1) {
    const c = url.charAt(i);
    if (c === ":" && url.charAt(i + 1) === ":") {
      source += ":";
      i += 1;
    } else if (c === ":") {
      while (i + 1 < url.length && /[\w$]/.test(url.charAt(i + 1))) i += 1;
      source += "[^/]+";
    } else if (c === "*") source += ".*";
    else source += c.replace(/[.+?^${}()|[\]\\/-]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s");
}
