/**
 * The path of an HTTP request target (`request.url` of `node:http`), as
 * `new URL(target, 'http://gateway').pathname` gives it. The usual target (`/graphql`,
 * `/graphql?x=1`) is read directly: a path of letters, digits, `-`, `_` and single `/` after the
 * first, which the URL parser leaves as it is. Anything else (dot segments, percent escapes,
 * backslashes, a leading `//`, an absolute-form target) goes through the parser, whose result the
 * routes and Yoga both see.
 */
export function requestPathname(target: string): string {
  let end = target.length;
  for (let index = 0; index < target.length; index++) {
    const code = target.charCodeAt(index);
    if (code === 63 /* ? */ || code === 35 /* # */) {
      end = index;
      break;
    }
  }
  return plainPath(target, end) ? target.slice(0, end) : new URL(target, 'http://gateway').pathname;
}

/** Whether `target[0, end)` is `/` followed by letters, digits, `-`, `_` and `/`, no `//` at its start. */
function plainPath(target: string, end: number): boolean {
  if (end === 0 || target.charCodeAt(0) !== 47 /* / */ || (end > 1 && target.charCodeAt(1) === 47)) return false;
  for (let index = 1; index < end; index++) {
    const code = target.charCodeAt(index);
    const plain =
      (code >= 97 && code <= 122) /* a-z */ ||
      (code >= 65 && code <= 90) /* A-Z */ ||
      (code >= 48 && code <= 57) /* 0-9 */ ||
      code === 45 /* - */ ||
      code === 95 /* _ */ ||
      code === 47; /* / */
    if (!plain) return false;
  }
  return true;
}
