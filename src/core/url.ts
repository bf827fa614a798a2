// URLs as dashboard-ci shows them: never with the user:password@ a user may have put in them.

const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*(?::[^\s/@]*)?@/gi;

/** Every `scheme://user:password@` in a text, masked to `scheme://***@`. */
export function maskUserinfo(text: string): string {
  return text.replace(USERINFO, '$1***@');
}

/** The URL without user:password@ (the only form in which a URL is ever shown). */
export function stripUserinfo(raw: string): { url: string; user?: string; password?: string } {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return { url: raw.replace(USERINFO, '$1') };
  }
  const user = parsed.username ? decodeURIComponent(parsed.username) : undefined;
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString().replace(/\/+$/, ''), user, password };
}
